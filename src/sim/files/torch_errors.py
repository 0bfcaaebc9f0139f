class ChildFailedError(Exception):
    def __init__(self, name, failures):
        self.name = name
        self.failures = failures
        super().__init__(self.format_msg())

    def format_msg(self):
        return self.failures
