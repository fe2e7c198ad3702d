"""Files the trainer writes, each atomically (a temporary sibling, fsync, rename), so a crash or a killed job never
leaves half a file: the previous complete version stays until the new one is whole."""
import json
import os


def write_bytes(path, data):
    tmp = "%s.tmp.%d" % (path, os.getpid())
    try:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    directory = os.open(os.path.dirname(os.path.abspath(path)), os.O_RDONLY)
    try:
        os.fsync(directory)  # the rename itself survives a power cut
    finally:
        os.close(directory)


def write_json(path, value):
    write_bytes(path, (json.dumps(value, indent=2) + "\n").encode("utf-8"))
