"""CRC-16/MODBUS: polynomial 0x8005 reflected (0xA001), initial value 0xFFFF, no final XOR.

Table-driven: one lookup per byte instead of eight shifts keeps the decoder's throughput
well above what any serial line can deliver.
"""


def _table():
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
        table.append(crc)
    return tuple(table)


_TABLE = _table()


def crc16(data, start=0, end=None):
    """The CRC of data[start:end] (any bytes-like object), as an int 0..0xFFFF."""
    crc = 0xFFFF
    table = _TABLE
    for i in range(start, len(data) if end is None else end):
        crc = (crc >> 8) ^ table[(crc ^ data[i]) & 0xFF]
    return crc
