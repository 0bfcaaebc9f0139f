__version__ = "@@TORCH_VERSION@@"
git_version = "@@TORCH_GIT@@"
cuda = None
hip = None
debug = False
