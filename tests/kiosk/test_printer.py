"""The printed bytes, exactly, on python-escpos's own Dummy printer; the printer's status and faults."""
import pytest

from kiosk import printer as printers
from kiosk.layout import TicketInfo, ticket_ops
from kiosk.printer import PrinterFault, escpos_module, read_status, render, send

ESC, GS, FS, DLE, EOT = b"\x1b", b"\x1d", b"\x1c", b"\x10", b"\x04"
URL = "https://hall.example.cn/m/tickets/east.Zk3pQ9xYw2LmNb7c"
INFO = TicketInfo(center="东区政务服务中心", queue="综合受理", number="A007", ahead=2, est_wait_s=600,
                  issued="2026-11-26 10:00:05", track_url=URL, item="结婚登记")


def gb(text):
    return text.encode("gb18030")


def qr_store(data):
    """GS ( k, function 180 (store the symbol data): pL pH cn=49 fn=80 m=48 data."""
    n = len(data) + 3
    return GS + b"(k" + bytes([n % 256, n // 256]) + b"1P0" + data.encode()


def test_the_whole_ticket_on_80mm_paper_byte_for_byte():
    rule = b"-" * 48 + b"\n"
    expected = b"".join([
        ESC + b"@",                                  # initialise
        FS + b"&",                                   # Chinese character mode
        ESC + b"a\x01", ESC + b"E\x01", GS + b"!\x01",  # centred, bold, double height
        gb("东区政务服务中心") + b"\n",
        ESC + b"E\x00", GS + b"!\x00",
        gb("综合受理 · 结婚登记") + b"\n",
        ESC + b"E\x01", GS + b"!\x33",              # the number: bold, 4 × 4
        b"A007\n",
        ESC + b"a\x00", ESC + b"E\x00", GS + b"!\x00",
        rule,
        gb("您前面还有：2人") + b"\n",
        gb("预计等候：约10分钟") + b"\n",
        gb("取号时间：2026-11-26 10:00:05") + b"\n",
        ESC + b"a\x01",
        GS + b"(k\x04\x001A2\x00",                  # QR model 2
        GS + b"(k\x03\x001C\x06",                   # module size 6 dots
        GS + b"(k\x03\x001E1",                      # error correction M
        qr_store(URL),
        GS + b"(k\x03\x001Q0",                      # print the symbol
        b"\n",
        gb("手机扫码，随时查看排队进度") + b"\n",
        ESC + b"a\x00", rule,
        gb("请在等候区留意叫号屏幕和语音提示。过号请到咨询") + b"\n",   # 48 columns; 。 may not start a line
        gb("台。号票遗失可凭号码在咨询台补打。") + b"\n",
        ESC + b"d\x06", GS + b"V\x00",              # feed past the cutter, full cut
    ])
    assert render(ticket_ops(INFO, 80), 80) == expected


@pytest.mark.parametrize("paper", [58, 80])
def test_the_essentials_are_there_on_both_papers(paper):
    out = render(ticket_ops(INFO, paper), paper)
    assert out.startswith(ESC + b"@" + FS + b"&")
    assert gb("东区政务服务中心") in out
    assert GS + b"!\x33" + b"A007\n" in out
    assert qr_store(URL) in out
    assert out.endswith(ESC + b"d\x06" + GS + b"V\x00")
    assert (b"-" * {58: 32, 80: 48}[paper] + b"\n") in out


def test_chinese_punctuation_and_rare_characters_are_not_question_marks():
    # python-escpos's own text() prints ：（）。 and characters beyond GB2312 as '?'
    info = TicketInfo(center="㯋木镇（便民）服务中心", queue="综合受理：一窗通办", number="A001", ahead=0,
                      est_wait_s=None, issued="2026-11-26 10:00:05", track_url=URL)
    out = render(ticket_ops(info, 80), 80)
    assert b"?" not in out.replace(qr_store(URL), b"")
    assert gb("㯋木镇（便民）服务中心") in out and len(gb("㯋")) == 4


# --- status and faults ---

def status_printer(answers):
    """A Dummy whose connection answers DLE EOT n as a real printer would (one status byte)."""
    Dummy = escpos_module().Dummy

    class Answering(Dummy):
        def _read(self):
            asked = self._output_list[-1]
            assert asked[:2] == DLE + EOT
            return bytes([answers[asked[2]]])
    return Answering()


OK = {1: 0x12, 2: 0x12, 4: 0x12}


@pytest.mark.parametrize("answers, status", [
    (OK, "ok"),
    ({**OK, 4: 0x1E}, "paper_low"),                   # near-end sensor
    ({**OK, 4: 0x72}, "paper_out"),                   # paper end sensor
    ({1: 0x1A, 2: 0x16, 4: 0x12}, "cover_open"),      # offline, because the cover is open
    ({1: 0x1A, 2: 0x32, 4: 0x72}, "paper_out"),       # offline, stopped at paper end
    ({1: 0x1A, 2: 0x52, 4: 0x12}, "offline"),         # offline for another reason (an error)
])
def test_real_time_status_is_read_with_dle_eot(answers, status):
    p = status_printer(answers)
    assert read_status(p) == status
    assert p.output.startswith(DLE + EOT + b"\x01")


def test_a_connection_that_cannot_read_is_not_asked():
    p = escpos_module().Dummy()
    assert read_status(p) is None
    assert p.output == b""                            # no DLE EOT left in the ticket's bytes


def test_send_refuses_before_printing_when_the_paper_is_out():
    p = status_printer({**OK, 4: 0x72})
    with pytest.raises(PrinterFault) as e:
        send(p, b"TICKET")
    assert e.value.code == "paper_out"
    assert b"TICKET" not in p.output


def test_send_reports_paper_running_out_during_the_ticket():
    answers = dict(OK)
    Dummy = escpos_module().Dummy

    class RunsOut(Dummy):
        def _read(self):
            return bytes([answers[self._output_list[-1][2]]])

        def _raw(self, msg):
            super()._raw(msg)
            if msg == b"TICKET":
                answers[4] = 0x72                      # the roll ends while this ticket prints
    p = RunsOut()
    with pytest.raises(PrinterFault) as e:
        send(p, b"TICKET")
    assert (e.value.code, e.value.detail) == ("paper_out", "after printing")


def test_send_turns_a_broken_connection_into_an_offline_fault():
    Dummy = escpos_module().Dummy

    class Unplugged(Dummy):
        def _raw(self, msg):
            raise OSError(5, "Input/output error")
    with pytest.raises(PrinterFault) as e:
        send(Unplugged(), b"TICKET", check_status=False)
    assert e.value.code == "offline" and "Input/output error" in e.value.detail


def test_send_returns_the_status_after_printing():
    p = status_printer({**OK, 4: 0x1E})
    assert send(p, b"TICKET") == "paper_low"
    assert b"TICKET" in p.output


# --- printer settings ---

def test_printer_settings_are_checked_with_clear_messages():
    assert printers.check_spec(None) == {"kind": "none", "paper_mm": 80, "status": True, "profile": None}
    usb = printers.check_spec({"kind": "usb", "vendor_id": "0x0416", "product_id": 0x5011, "paper_mm": 58})
    assert (usb["vendor_id"], usb["product_id"], usb["paper_mm"], usb["status"]) == (0x0416, 0x5011, 58, True)
    assert printers.check_spec({"kind": "file", "path": "/dev/usb/lp0"})["status"] is False
    for bad, words in [({"kind": "laser"}, "printer.kind"),
                       ({"kind": "usb", "vendor_id": 1}, "printer.product_id"),
                       ({"kind": "usb", "vendor_id": "zz", "product_id": 1}, "0x0416"),
                       ({"kind": "network", "host": "10.0.0.9", "paper_mm": 76}, "58 or 80"),
                       ({"kind": "serial", "devfile": "/dev/ttyS0", "speed": 9600}, "speed"),
                       ({"kind": "file", "path": "/tmp/x", "status": "yes"}, "true or false")]:
        with pytest.raises(ValueError) as e:
            printers.check_spec(bad)
        assert words in str(e.value)


def test_connect_builds_python_escpos_printers_without_opening_them(tmp_path):
    p = escpos_module()
    net = printers.connect(printers.check_spec({"kind": "network", "host": "127.0.0.1", "port": 9101}))
    assert isinstance(net, p.Network) and (net.host, net.port, net.timeout) == ("127.0.0.1", 9101, 3)
    ser = printers.connect(printers.check_spec({"kind": "serial", "devfile": "/dev/ttyS9", "baudrate": 19200}))
    assert isinstance(ser, p.Serial) and ser.baudrate == 19200
    usb = printers.connect(printers.check_spec({"kind": "usb", "vendor_id": 0x0416, "product_id": 0x5011}))
    assert isinstance(usb, p.Usb) and usb.usb_args == {"idVendor": 0x0416, "idProduct": 0x5011}
    assert printers.connect(printers.check_spec({"kind": "none"})) is None


def test_a_file_printer_appends_so_no_job_erases_another(tmp_path):
    path = tmp_path / "lp0"
    spec = printers.check_spec({"kind": "file", "path": str(path)})
    send(printers.connect(spec), b"ONE", spec["status"])
    send(printers.connect(spec), b"TWO", spec["status"])
    assert path.read_bytes() == b"ONETWO"
    missing = printers.check_spec({"kind": "file", "path": str(tmp_path / "gone" / "lp0")})
    with pytest.raises(PrinterFault) as e:
        send(printers.connect(missing), b"THREE", False)
    assert e.value.code == "offline"
