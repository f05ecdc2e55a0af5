"""The tracking link's QR code as SVG, drawn on the server (the kiosk needs no script or network for it)."""
import re

import qrcode
import qrcode.image.svg


def svg(data):
    """A scalable QR code; the page sizes it with CSS, so it is crisp at any size."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2,
                         image_factory=qrcode.image.svg.SvgPathImage)
    code.add_data(data)
    code.make(fit=True)
    text = code.make_image().to_string(encoding="unicode")
    # no fixed size in millimetres: the box it is put in decides
    return re.sub(r'^<svg width="[^"]*" height="[^"]*"', '<svg role="img" aria-label="QR"', text, count=1)
