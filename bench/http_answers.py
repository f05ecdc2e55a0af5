"""One HTTP/1.1 answer cut from the front of a keep-alive connection's buffer: what the benches'
lean clients (bench/public.py, bench/scale.py) read, without a client library's cost in the figure."""


def take_answer(buf):
    """(status, headers, rest of the buffer) once a whole answer is in `buf`, else None."""
    head_end = buf.find(b"\r\n\r\n")
    if head_end < 0:
        return None
    head = buf[:head_end].decode("latin-1").split("\r\n")
    status = int(head[0].split()[1])
    fields = {k.lower(): v.strip() for k, _, v in (h.partition(":") for h in head[1:])}
    length = 0 if status in (204, 304) else int(fields.get("content-length", 0))
    if len(buf) < head_end + 4 + length:
        return None
    return status, fields, buf[head_end + 4 + length:]
