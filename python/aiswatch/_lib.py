"""ctypes declarations of libaiswatch's flat entry points (include/aiswatch/pyapi.h).

The shared library is found, in this order: the file named by the environment variable
AISWATCH_LIB; build/libaiswatch.so of the source tree this package sits in
(python/aiswatch -> ../../build); the system loader's libaiswatch.so.0.
"""
import ctypes
import ctypes.util
import os

_HERE = os.path.dirname(os.path.abspath(__file__))


class AiswatchError(RuntimeError):
    """An error reported by libaiswatch; the message is the library's own."""


def _candidates():
    env = os.environ.get("AISWATCH_LIB")
    if env:
        yield env
        return
    for rel in ("../../build/libaiswatch.so", "../libaiswatch.so", "libaiswatch.so"):
        p = os.path.normpath(os.path.join(_HERE, rel))
        if os.path.exists(p):
            yield p
    found = ctypes.util.find_library("aiswatch")
    if found:
        yield found
    yield "libaiswatch.so.0"


def _load():
    errors = []
    for path in _candidates():
        try:
            return ctypes.CDLL(path), path
        except OSError as e:
            errors.append(f"{path}: {e}")
    raise AiswatchError("libaiswatch not found (build it with `make`, or set AISWATCH_LIB to the "
                        "path of libaiswatch.so): " + "; ".join(errors))


lib, LIB_PATH = _load()
LIB_DIR = os.path.dirname(os.path.abspath(LIB_PATH)) if os.path.sep in LIB_PATH else ""

c_char_p, c_void_p, c_size_t, c_int, c_bool = (ctypes.c_char_p, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int,
                                                ctypes.c_bool)
c_int64, c_uint32, c_double = ctypes.c_int64, ctypes.c_uint32, ctypes.c_double
P = ctypes.POINTER


def _sig(name, restype, *argtypes):
    f = getattr(lib, name)
    f.restype = restype
    f.argtypes = list(argtypes)
    return f


# Text the library allocates comes back as a void pointer, read and then freed.
_sig("aw_py_free", None, c_void_p)
_sig("aw_py_opts_new", c_void_p)
_sig("aw_py_opts_free", None, c_void_p)
_sig("aw_py_opts_set", c_int, c_void_p, c_char_p, c_char_p, c_char_p, c_size_t)
_sig("aw_py_opts_name", c_char_p, c_size_t)
_sig("aw_py_geo_load", c_void_p, c_void_p, c_char_p, c_bool, c_char_p, c_size_t)
_sig("aw_geo_free", None, c_void_p)
_sig("aw_py_lists_load", c_void_p, c_void_p, c_char_p, c_size_t)
_sig("aw_lists_free", None, c_void_p)
_sig("aw_py_screen_query", c_void_p, c_void_p, c_void_p, c_uint32, c_uint32, c_char_p, c_char_p)
_sig("aw_py_scan_run", c_void_p, c_void_p, P(c_char_p), c_size_t, c_char_p, c_char_p, c_bool, c_char_p, c_size_t)
_sig("aw_py_scan_tracks", c_void_p, c_void_p)
_sig("aw_py_scan_summary_json", c_void_p, c_void_p)
_sig("aw_py_scan_vessels_jsonl", c_void_p, c_void_p)
_sig("aw_py_scan_events_jsonl", c_void_p, c_void_p)
_sig("aw_py_scan_free", None, c_void_p)
_sig("aw_py_tracks_col", c_void_p, c_void_p, c_char_p)
_sig("aw_py_tracks_rows", c_size_t, c_void_p)
_sig("aw_py_tracks_vessels", c_size_t, c_void_p)
_sig("aw_py_vessels_jsonl", c_void_p, c_void_p, P(c_char_p))
_sig("aw_py_history_jsonl", c_void_p, c_void_p)
_sig("aw_py_decode", c_void_p, c_char_p, c_void_p, ctypes.c_uint, c_bool, c_char_p, c_size_t)
_sig("aw_py_decoded_rows", c_size_t, c_void_p, c_int)
_sig("aw_py_decoded_col", c_void_p, c_void_p, c_int, c_char_p)
_sig("aw_py_decoded_static", c_void_p, c_void_p)
_sig("aw_py_static_size", c_size_t)
_sig("aw_py_decoded_info_json", c_void_p, c_void_p)
_sig("aw_py_decoded_free", None, c_void_p)
_sig("aw_py_tracks_build", c_void_p, c_size_t, *([c_void_p] * 12), c_size_t, c_void_p, c_char_p, c_size_t)
_sig("aw_py_tracks_free", None, c_void_p)
_sig("aw_py_rest_cells", ctypes.c_long, c_void_p, c_double, P(c_void_p), P(c_void_p))
_sig("aw_py_geo_add_derived", c_int, c_void_p, c_void_p, c_size_t, c_double)
_sig("aw_py_detect", c_void_p, c_void_p, c_void_p, c_void_p, c_bool, c_char_p, c_size_t)
_sig("aw_py_events_count", c_size_t, c_void_p)
_sig("aw_py_events_meta", None, c_void_p, c_void_p, c_void_p, c_void_p, c_void_p)
_sig("aw_py_events_jsonl", c_void_p, c_void_p, c_void_p, c_void_p, P(c_char_p), c_size_t)
_sig("aw_py_events_free", None, c_void_p)
_sig("aw_py_screen_tracks", c_void_p, c_void_p, c_void_p, c_void_p)
_sig("aw_py_screen_json", c_char_p, c_void_p, c_size_t)
_sig("aw_py_screen_free", None, c_void_p, c_size_t)
_sig("aw_py_write_gpkg", c_int, c_char_p, c_void_p, c_void_p, c_void_p, c_void_p, P(c_char_p), c_void_p,
     P(c_char_p), c_size_t, c_bool, c_bool, c_char_p, c_size_t)
_sig("aw_py_write_inputs", c_int, c_char_p, c_size_t, P(c_char_p), P(c_char_p), P(c_int64), P(c_char_p),
     P(c_char_p), c_char_p, c_size_t)
_sig("aw_py_tracks_pack", c_void_p, c_void_p, P(c_char_p), c_int64, c_int64, P(c_size_t))
_sig("aw_py_tracks_unpack", c_void_p, P(c_void_p), P(c_size_t), c_size_t, P(P(c_char_p)), c_char_p, c_size_t)
_sig("aw_py_strings_free", None, P(c_char_p), c_size_t)
_sig("aw_gpkg_merge", c_int, c_char_p, P(c_char_p), c_size_t, c_char_p, c_size_t)

MESSAGES, POSITIONS, STATIC = 0, 1, 2
STATIC_SIZE = lib.aw_py_static_size()
EVENT_TYPES = ["encounter", "loitering", "gap", "dark_rendezvous", "identity_conflict", "identity_change",
               "position_spoof", "draught_change"]


def errbuf():
    return ctypes.create_string_buffer(1024)


def fail(err, what=None):
    msg = err.value.decode("utf-8", "replace") if err is not None else ""
    raise AiswatchError(msg or what or "libaiswatch failed")


def take_text(ptr):
    """Reads and frees text the library allocated."""
    if not ptr:
        raise AiswatchError("out of memory")
    try:
        return ctypes.string_at(ptr).decode("utf-8", "replace")
    finally:
        lib.aw_py_free(ptr)


def cstrings(values):
    """A char *[] of the values (None stays NULL); keep the result alive while C reads it."""
    arr = (c_char_p * max(1, len(values)))()
    for i, v in enumerate(values):
        arr[i] = None if v is None else (v.encode() if isinstance(v, str) else v)
    return arr


def option_names():
    names, i = [], 0
    while True:
        n = lib.aw_py_opts_name(i)
        if n is None:
            return names
        names.append(n.decode())
        i += 1


OPTION_NAMES = option_names()


class Opts:
    """aw_py_opts built from keyword arguments (every `aiswatch scan` option by its field name)."""

    def __init__(self, **params):
        self.ptr = lib.aw_py_opts_new()
        if not self.ptr:
            raise AiswatchError("out of memory")
        self.params = {}
        for k, v in params.items():
            self.set(k, v)

    def set(self, name, value):
        if value is None:
            return
        if name not in OPTION_NAMES:
            raise TypeError(f"unknown option {name!r}; options: {', '.join(OPTION_NAMES)}")
        if isinstance(value, bool):
            text = "1" if value else "0"
        elif isinstance(value, (list, tuple)):
            for item in value:
                self.set(name, item)
            return
        else:
            text = str(value)
        err = errbuf()
        if lib.aw_py_opts_set(self.ptr, name.encode(), os.fsencode(text), err, len(err)) < 0:
            fail(err)
        self.params[name] = value

    def __del__(self):
        if getattr(self, "ptr", None):
            lib.aw_py_opts_free(self.ptr)
            self.ptr = None
