from torch_npu import _C  # noqa: F401


class ErrCode:
    PARAM = "ERR00001"
    NOT_FOUND = "ERR00008"
    ACL = "ERR00100"


def pta_error(code):
    return code
