version = "2.51.0"
commit = "pdflow-sim"
