"""The simulator side of the emulated Ray: where state lives and how a node is identified.

Cluster state is one JSON file per simulated cluster, $PDFLOW_SIM_CLUSTER/shared/ray.json, read and
written under an flock. Liveness comes from processes: a node is alive while its `raylet` process
(started by `ray start`, pid + start time recorded) runs, so a simulated reboot that kills the
node's processes makes the node dead, as in real Ray.
"""
