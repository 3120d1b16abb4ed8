"""Pictures for the demo, drawn with Pillow: portfolio images, avatars and logos.

They are uploaded through the same services (and checks) as a user's files.
"""

from __future__ import annotations

import io
import math

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw, ImageFont


def _upload(image: Image.Image, name: str) -> SimpleUploadedFile:
    out = io.BytesIO()
    image.save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def _gradient(
    size: tuple[int, int], top: tuple[int, int, int], bottom: tuple[int, int, int]
) -> Image.Image:
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    for y in range(size[1]):
        t = y / max(size[1] - 1, 1)
        draw.line(
            [(0, y), (size[0], y)],
            fill=tuple(int(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)),
        )
    return image


def weld_inspection(variant: int = 0) -> SimpleUploadedFile:
    """A steel plate with a weld seam and the vision system's detection boxes."""
    image = _gradient((960, 640), (92, 99, 112), (48, 53, 61))
    draw = ImageDraw.Draw(image)
    y0 = 300 + variant * 30
    for x in range(40, 920, 6):
        wobble = int(8 * math.sin(x / 23 + variant))
        draw.ellipse([x, y0 + wobble - 10, x + 14, y0 + wobble + 10], fill=(196, 170, 120))
    for box, colour in (
        ((250, y0 - 40, 330, y0 + 40), (229, 62, 62)),
        ((610, y0 - 36, 700, y0 + 44), (56, 161, 105)),
    ):
        draw.rectangle(box, outline=colour, width=5)
    draw.rectangle([0, 0, 960, 56], fill=(26, 32, 44))
    for i in range(6):
        draw.rectangle(
            [24 + i * 70, 18, 74 + i * 70, 38], fill=(66, 153, 225) if i % 2 else (72, 187, 120)
        )
    return _upload(image, f"weld-inspection-{variant + 1}.png")


def product_render(colour: tuple[int, int, int], name: str) -> SimpleUploadedFile:
    """A small appliance on a studio background."""
    image = _gradient((960, 640), (247, 250, 252), (203, 213, 224))
    draw = ImageDraw.Draw(image)
    draw.ellipse([300, 520, 660, 580], fill=(160, 174, 192))
    draw.rounded_rectangle([360, 140, 600, 550], radius=90, fill=colour)
    draw.rounded_rectangle([400, 190, 560, 250], radius=24, fill=(255, 255, 255))
    for i in range(7):
        draw.line([(395, 300 + i * 28), (565, 300 + i * 28)], fill=(255, 255, 255), width=6)
    draw.ellipse([455, 470, 505, 520], fill=(255, 255, 255))
    return _upload(image, name)


def emc_chamber() -> SimpleUploadedFile:
    """An anechoic chamber: absorber cones and a device under test on a turntable."""
    image = Image.new("RGB", (960, 640), (45, 55, 72))
    draw = ImageDraw.Draw(image)
    for row in range(5):
        for col in range(16):
            x, y = col * 60, row * 60
            draw.polygon(
                [(x, y + 60), (x + 30, y), (x + 60, y + 60)],
                fill=(74, 85, 104) if (row + col) % 2 else (90, 103, 123),
            )
    draw.rectangle([0, 300, 960, 640], fill=(113, 128, 150))
    draw.ellipse([330, 470, 630, 560], fill=(160, 174, 192))
    draw.rectangle([420, 380, 540, 500], fill=(237, 137, 54))
    draw.line([(760, 200), (760, 520)], fill=(226, 232, 240), width=8)
    draw.polygon([(700, 200), (820, 200), (760, 260)], fill=(226, 232, 240))
    return _upload(image, "emc-chamber.png")


def avatar(colour: tuple[int, int, int], name: str) -> SimpleUploadedFile:
    """A simple portrait silhouette on a coloured square."""
    image = Image.new("RGB", (512, 512), colour)
    draw = ImageDraw.Draw(image)
    draw.ellipse([176, 96, 336, 256], fill=(255, 236, 214))
    draw.ellipse([96, 280, 416, 620], fill=(255, 255, 255))
    return _upload(image, name)


def logo(colour: tuple[int, int, int], name: str) -> SimpleUploadedFile:
    """A geometric mark: two interlocking squares."""
    image = Image.new("RGB", (512, 512), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle([80, 80, 320, 320], radius=40, fill=colour)
    draw.rounded_rectangle([192, 192, 432, 432], radius=40, outline=colour, width=36)
    return _upload(image, name)


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """A CJK font where the machine has one (Noto CJK on Debian), else Pillow's own."""
    for path in (
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
        "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
        "/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc",
    ):
        try:
            return ImageFont.truetype(path, size)
        except OSError:
            continue
    return ImageFont.load_default(size)


def business_licence(name: str, code: str) -> SimpleUploadedFile:
    """A plainly fictitious business licence (营业执照) scan: a demo watermark on every copy."""
    image = Image.new("RGB", (1100, 780), (253, 250, 242))
    draw = ImageDraw.Draw(image)
    draw.rectangle([24, 24, 1076, 756], outline=(178, 34, 34), width=6)
    draw.rectangle([40, 40, 1060, 740], outline=(178, 34, 34), width=2)
    draw.text((550, 110), "营业执照", fill=(178, 34, 34), font=_font(64), anchor="mm")
    draw.text(
        (550, 175), "BUSINESS LICENCE (DEMO)", fill=(120, 40, 40), font=_font(26), anchor="mm"
    )
    rows = [
        ("统一社会信用代码", code),
        ("名称", name),
        ("类型", "有限责任公司"),
        ("住所", "重庆市渝北区（演示地址）"),
        ("成立日期", "2019年05月20日"),
    ]
    for i, (label, value) in enumerate(rows):
        draw.text((110, 250 + i * 70), label, fill=(60, 60, 60), font=_font(28))
        draw.text((420, 250 + i * 70), value, fill=(20, 20, 20), font=_font(28))
    draw.ellipse([820, 560, 1000, 740], outline=(200, 30, 30), width=5)
    draw.text((910, 650), "演示", fill=(200, 30, 30), font=_font(40), anchor="mm")
    draw.text(
        (550, 720),
        "样本 · 仅供演示 · SAMPLE ONLY",
        fill=(150, 150, 150),
        font=_font(22),
        anchor="mm",
    )
    return _upload(image, "licence.png")


def id_document(name: str, side: str) -> SimpleUploadedFile:
    """A fictitious ID document side ("front" or "back"), marked as a demo sample."""
    image = _gradient((856, 540), (232, 240, 250), (200, 220, 240))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle([12, 12, 844, 528], radius=28, outline=(90, 120, 160), width=4)
    if side == "front":
        draw.rectangle([600, 90, 800, 340], fill=(170, 185, 205))
        draw.ellipse([650, 130, 750, 230], fill=(120, 135, 160))
        draw.text((60, 100), f"姓名  {name}", fill=(20, 20, 40), font=_font(32))
        draw.text((60, 170), "性别  —    民族  —", fill=(20, 20, 40), font=_font(28))
        draw.text((60, 240), "住址  重庆市（演示）", fill=(20, 20, 40), font=_font(28))
        draw.text((60, 420), "公民身份号码  ••••••••••••••••••", fill=(20, 20, 40), font=_font(26))
    else:
        draw.text((428, 120), "中华人民共和国", fill=(160, 30, 30), font=_font(44), anchor="mm")
        draw.text((428, 190), "居民身份证", fill=(160, 30, 30), font=_font(56), anchor="mm")
        draw.text((120, 360), "签发机关  演示公安局", fill=(20, 20, 40), font=_font(28))
        draw.text((120, 420), "有效期限  2020.01.01-2040.01.01", fill=(20, 20, 40), font=_font(28))
    draw.text((428, 500), "SAMPLE · 演示样本", fill=(120, 120, 140), font=_font(22), anchor="mm")
    return _upload(image, f"id-{side}.png")
