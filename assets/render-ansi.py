#!/usr/bin/env python3
"""Renders a terminal capture with ANSI colours (`tmux capture-pane -e -p`) to a PNG.

    render-ansi.py CAPTURE.txt OUT.png --columns 100 --rows 30 [--title TEXT] [--font-size 18]

Text is drawn with DejaVu Sans Mono (regular and bold). Block elements (eighth blocks, shades) and
the box-drawing lines are drawn as rectangles instead of font glyphs, so bars, charts and boxes join
seamlessly from cell to cell at any font size. Needs Pillow (Debian: python3-pil) and
fonts-dejavu-core; assets/screenshot.sh installs both when they are missing.
"""

import argparse
import re
import sys
import unicodedata

from PIL import Image, ImageDraw, ImageFont

FONT_DIRS = [
    "/usr/share/fonts/truetype/dejavu",
    "/usr/share/fonts/dejavu",
    "/usr/local/share/fonts",
    "/Library/Fonts",
]

# A dark theme: the 16 ANSI colours, then default foreground and background.
PALETTE = [
    (0x1d, 0x20, 0x26), (0xe0, 0x6c, 0x75), (0x98, 0xc3, 0x79), (0xe5, 0xc0, 0x7b),
    (0x61, 0xaf, 0xef), (0xc6, 0x78, 0xdd), (0x56, 0xb6, 0xc2), (0xc8, 0xcc, 0xd4),
    (0x6b, 0x72, 0x80), (0xef, 0x7f, 0x88), (0xa9, 0xd4, 0x8a), (0xf0, 0xd0, 0x8c),
    (0x7c, 0xc0, 0xf5), (0xd7, 0x8f, 0xe8), (0x6c, 0xcb, 0xd6), (0xf2, 0xf4, 0xf8),
]
DEFAULT_FG = (0xd4, 0xd8, 0xdf)
DEFAULT_BG = (0x16, 0x18, 0x1d)
FRAME = (0x0c, 0x0d, 0x10)
TITLE_FG = (0x8a, 0x91, 0x9e)

SGR = re.compile(r"\x1b\[([0-9;:]*)m")
OTHER_ESCAPE = re.compile(r"\x1b(\[[0-9;?]*[A-Za-z]|\][^\x07]*\x07|[()][A-Za-z0-9]|[=>])")


def xterm_256(index):
    if index < 16:
        return PALETTE[index]
    if index < 232:
        index -= 16
        steps = [0, 95, 135, 175, 215, 255]
        return (steps[index // 36], steps[(index // 6) % 6], steps[index % 6])
    level = 8 + (index - 232) * 10
    return (level, level, level)


class Style:
    __slots__ = ("fg", "bg", "bold", "dim", "reverse", "underline")

    def __init__(self):
        self.reset()

    def reset(self):
        self.fg = None
        self.bg = None
        self.bold = False
        self.dim = False
        self.reverse = False
        self.underline = False

    def copy(self):
        other = Style()
        for name in Style.__slots__:
            setattr(other, name, getattr(self, name))
        return other

    def apply(self, params):
        codes = [int(p) if p.isdigit() else 0 for p in re.split(r"[;:]", params)] if params else [0]
        i = 0
        while i < len(codes):
            code = codes[i]
            if code == 0:
                self.reset()
            elif code == 1:
                self.bold = True
            elif code == 2:
                self.dim = True
            elif code == 4:
                self.underline = True
            elif code == 7:
                self.reverse = True
            elif code == 22:
                self.bold = self.dim = False
            elif code == 24:
                self.underline = False
            elif code == 27:
                self.reverse = False
            elif 30 <= code <= 37:
                self.fg = PALETTE[code - 30]
            elif 90 <= code <= 97:
                self.fg = PALETTE[code - 90 + 8]
            elif code == 39:
                self.fg = None
            elif 40 <= code <= 47:
                self.bg = PALETTE[code - 40]
            elif 100 <= code <= 107:
                self.bg = PALETTE[code - 100 + 8]
            elif code == 49:
                self.bg = None
            elif code in (38, 48) and i + 1 < len(codes):
                colour = None
                if codes[i + 1] == 5 and i + 2 < len(codes):
                    colour = xterm_256(codes[i + 2])
                    i += 2
                elif codes[i + 1] == 2 and i + 4 < len(codes):
                    colour = tuple(codes[i + 2:i + 5])
                    i += 4
                if code == 38:
                    self.fg = colour
                else:
                    self.bg = colour
            i += 1

    def colours(self):
        fg = self.fg or DEFAULT_FG
        bg = self.bg or DEFAULT_BG
        if self.reverse:
            fg, bg = bg, fg
        if self.dim:
            fg = blend(fg, bg, 0.5)
        return fg, bg


def blend(a, b, amount):
    """`a` moved `amount` of the way towards `b`."""
    return tuple(round(x + (y - x) * amount) for x, y in zip(a, b))


def parse(text, columns, rows):
    """The capture as a grid of (character, Style) cells."""
    blank = Style()
    grid = [[(" ", blank) for _ in range(columns)] for _ in range(rows)]
    # tmux writes only the changes of style, and they carry over from one line to the next.
    style = Style()
    for y, line in enumerate(text.split("\n")[:rows]):
        x = 0
        position = 0
        while position < len(line):
            match = SGR.match(line, position)
            if match:
                style.apply(match.group(1))
                position = match.end()
                continue
            match = OTHER_ESCAPE.match(line, position)
            if match:
                position = match.end()
                continue
            character = line[position]
            position += 1
            if character == "\r" or unicodedata.combining(character):
                continue
            if x < columns:
                grid[y][x] = (character, style.copy())
            x += 2 if unicodedata.east_asian_width(character) in ("W", "F") else 1
    return grid


# Box drawing: arms (up, right, down, left) as 0 none, 1 light, 2 heavy.
BOX = {
    "─": (0, 1, 0, 1), "━": (0, 2, 0, 2), "│": (1, 0, 1, 0), "┃": (2, 0, 2, 0),
    "┌": (0, 1, 1, 0), "┐": (0, 0, 1, 1), "└": (1, 1, 0, 0), "┘": (1, 0, 0, 1),
    "├": (1, 1, 1, 0), "┤": (1, 0, 1, 1), "┬": (0, 1, 1, 1), "┴": (1, 1, 0, 1), "┼": (1, 1, 1, 1),
    "┏": (0, 2, 2, 0), "┓": (0, 0, 2, 2), "┗": (2, 2, 0, 0), "┛": (2, 0, 0, 2),
    "╴": (0, 0, 0, 1), "╵": (1, 0, 0, 0), "╶": (0, 1, 0, 0), "╷": (0, 0, 1, 0),
}
DASHED = {"╌": (2, 1, False), "╍": (2, 2, False), "┄": (3, 1, False), "┅": (3, 2, False),
          "╎": (2, 1, True), "╏": (2, 2, True), "┆": (3, 1, True), "┇": (3, 2, True)}
SHADES = {"░": 0.25, "▒": 0.5, "▓": 0.75}


class Renderer:
    def __init__(self, font_size):
        regular, bold = find_fonts()
        self.font = ImageFont.truetype(regular, font_size)
        self.bold = ImageFont.truetype(bold, font_size) if bold else self.font
        ascent, descent = self.font.getmetrics()
        self.cell_w = round(self.font.getlength("M"))
        self.cell_h = ascent + descent + max(1, font_size // 6)
        self.baseline_pad = (self.cell_h - ascent - descent) // 2
        self.light = max(1, round(font_size / 14))
        self.heavy = self.light * 3

    def draw_cell(self, draw, left, top, character, style):
        fg, bg = style.colours()
        w, h = self.cell_w, self.cell_h
        draw.rectangle([left, top, left + w - 1, top + h - 1], fill=bg)
        code = ord(character)
        if character == " ":
            pass
        elif 0x2581 <= code <= 0x2588:  # lower eighths ... full block
            eighths = code - 0x2580
            height = round(h * eighths / 8)
            draw.rectangle([left, top + h - height, left + w - 1, top + h - 1], fill=fg)
        elif 0x2589 <= code <= 0x258F:  # left seven eighths ... left one eighth
            eighths = 0x2590 - code
            width = max(1, round(w * eighths / 8))
            draw.rectangle([left, top, left + width - 1, top + h - 1], fill=fg)
        elif character == "▀":
            draw.rectangle([left, top, left + w - 1, top + h // 2 - 1], fill=fg)
        elif character == "▐":
            draw.rectangle([left + w // 2, top, left + w - 1, top + h - 1], fill=fg)
        elif character == "▕":
            draw.rectangle([left + w - max(1, w // 8), top, left + w - 1, top + h - 1], fill=fg)
        elif character == "▔":
            draw.rectangle([left, top, left + w - 1, top + max(1, h // 8) - 1], fill=fg)
        elif character in SHADES:
            # A solid mix of the two colours reads better than a stipple at screenshot sizes.
            draw.rectangle([left, top, left + w - 1, top + h - 1], fill=blend(bg, fg, SHADES[character]))
        elif character in BOX:
            self.draw_box(draw, left, top, BOX[character], fg)
        elif character in DASHED:
            self.draw_dashed(draw, left, top, DASHED[character], fg)
        else:
            font = self.bold if style.bold else self.font
            draw.text((left, top + self.baseline_pad), character, font=font, fill=fg)
        if style.underline:
            draw.line([left, top + h - 2, left + w - 1, top + h - 2], fill=fg)

    def draw_box(self, draw, left, top, arms, colour):
        w, h = self.cell_w, self.cell_h
        cx, cy = left + w // 2, top + h // 2
        up, right, down, left_arm = arms
        widest = max(arms)
        half_cross = (self.heavy if widest == 2 else self.light) // 2

        def thickness(weight):
            return self.heavy if weight == 2 else self.light

        def vertical(y0, y1, weight):
            t = thickness(weight)
            draw.rectangle([cx - t // 2, y0, cx - t // 2 + t - 1, y1], fill=colour)

        def horizontal(x0, x1, weight):
            t = thickness(weight)
            draw.rectangle([x0, cy - t // 2, x1, cy - t // 2 + t - 1], fill=colour)

        if up:
            vertical(top, cy + half_cross, up)
        if down:
            vertical(cy - half_cross, top + h - 1, down)
        if left_arm:
            horizontal(left, cx + half_cross, left_arm)
        if right:
            horizontal(cx - half_cross, left + w - 1, right)

    def draw_dashed(self, draw, left, top, spec, colour):
        dashes, weight, is_vertical = spec
        w, h = self.cell_w, self.cell_h
        t = self.heavy if weight == 2 else self.light
        length = h if is_vertical else w
        segment = length / dashes
        for index in range(dashes):
            start = round(index * segment + segment * 0.15)
            end = round((index + 1) * segment - segment * 0.15) - 1
            if is_vertical:
                x = left + w // 2 - t // 2
                draw.rectangle([x, top + start, x + t - 1, top + end], fill=colour)
            else:
                y = top + h // 2 - t // 2
                draw.rectangle([left + start, y, left + end, y + t - 1], fill=colour)

    def render(self, grid, title):
        rows, columns = len(grid), len(grid[0])
        pad = self.cell_w * 2
        bar = self.cell_h + pad // 2 if title else 0
        width = columns * self.cell_w + pad * 2
        height = rows * self.cell_h + pad * 2 + bar
        image = Image.new("RGB", (width, height), FRAME)
        draw = ImageDraw.Draw(image)
        radius = self.cell_w
        draw.rounded_rectangle([0, 0, width - 1, height - 1], radius=radius, fill=DEFAULT_BG, outline=(0x2b, 0x2f, 0x37))
        if title:
            for index, colour in enumerate([(0xe0, 0x6c, 0x75), (0xe5, 0xc0, 0x7b), (0x98, 0xc3, 0x79)]):
                cx = pad + index * self.cell_w * 2
                cy = pad // 2 + self.cell_h // 2
                r = self.cell_w // 2
                draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=colour)
            title_width = self.font.getlength(title)
            draw.text(((width - title_width) / 2, pad // 2 + self.baseline_pad), title, font=self.font, fill=TITLE_FG)
        for y, row in enumerate(grid):
            for x, (character, style) in enumerate(row):
                self.draw_cell(draw, pad + x * self.cell_w, pad + bar + y * self.cell_h, character, style)
        return image


def find_fonts():
    import os

    for directory in FONT_DIRS:
        regular = os.path.join(directory, "DejaVuSansMono.ttf")
        if os.path.exists(regular):
            bold = os.path.join(directory, "DejaVuSansMono-Bold.ttf")
            return regular, bold if os.path.exists(bold) else None
    sys.exit("render-ansi.py: DejaVu Sans Mono not found (Debian: apt-get install fonts-dejavu-core)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("capture")
    parser.add_argument("output")
    parser.add_argument("--columns", type=int, default=100)
    parser.add_argument("--rows", type=int, default=30)
    parser.add_argument("--title", default="")
    parser.add_argument("--font-size", type=int, default=18)
    arguments = parser.parse_args()
    with open(arguments.capture, encoding="utf-8", errors="replace") as capture:
        grid = parse(capture.read(), arguments.columns, arguments.rows)
    Renderer(arguments.font_size).render(grid, arguments.title).save(arguments.output, optimize=True)


if __name__ == "__main__":
    main()
