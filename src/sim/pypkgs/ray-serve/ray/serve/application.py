"""What the emulated serve.run deploys (built by ray.serve.llm's builders)."""


class Application(object):
    def __init__(self, kind, role_configs, options):
        self.kind = kind  # "openai" (collocated) or "pd"
        self.role_configs = role_configs  # [(role, LLMConfig)]
        self.options = options

    def __repr__(self):
        return "Application(%s, %s)" % (self.kind, [(r, c.model_id) for r, c in self.role_configs])
