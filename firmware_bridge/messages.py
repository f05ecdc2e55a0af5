"""What the bus master and the devices say to each other, independent of any vendor's bytes.

A driver (`drivers/`) turns these into frames and back. The bus master, the device models and
the simulator speak only these, so another vendor's protocol is one more driver.
"""
from dataclasses import dataclass, field
from enum import IntEnum


class Kind(IntEnum):
    KEYPAD = 1       # 呼叫器: the window's call keypad with a two-line display
    EVALUATOR = 2    # 评价器: five keys facing the citizen
    LED = 3          # 窗口屏: the LED display above a window
    BAR = 4          # 条屏: a scrolling LED bar on the wall


class Key(IntEnum):
    """Keypad keys; the value is the key code on the wire."""
    CALL_NEXT = 0x01   # 呼叫 (下一位)
    RECALL = 0x02      # 重呼
    START = 0x03       # 开始办理
    FINISH = 0x04      # 办结
    NO_SHOW = 0x05     # 过号
    TRANSFER = 0x06    # 转移, with a queue digit 1..9
    PAUSE = 0x07       # 暂停
    RESUME = 0x08      # 恢复
    OPEN = 0x09        # 签到 / 开窗
    CLOSE = 0x0A       # 签退 / 关窗

    @property
    def action(self):
        """The hall's window action this key asks for."""
        return self.name.lower().replace("_", "-")


class Effect(IntEnum):
    STATIC = 0
    SCROLL = 1       # scroll left, repeating (bars, texts wider than the display)
    FLASH = 2        # flash three times, then static (a recall)


SCORES = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}
NO_ANSWER = 0       # an evaluator's result when the citizen pressed nothing before the timeout


# --- master to device ---

@dataclass(frozen=True)
class Poll:
    pass


@dataclass(frozen=True)
class Sync:
    """Start a session: both sequence bits reset, queued key presses discarded, clock set."""
    clock: int = 0


@dataclass(frozen=True)
class ShowText:
    zone: int
    text: str
    effect: Effect = Effect.STATIC
    # not on the wire: a new generation of the same text is a new command (a recall flashes again)
    generation: int = field(default=0, compare=True)


@dataclass(frozen=True)
class Brightness:
    level: int       # 0..15


@dataclass(frozen=True)
class Prompt:
    prompt: int      # 1..65535, echoed in the result
    timeout_s: int   # 1..255
    text: str


@dataclass(frozen=True)
class Ack:
    """The master has the device's event with this envelope's sequence bit."""
    of: str          # "key" or "evaluation"


# --- device to master ---

@dataclass(frozen=True)
class Heartbeat:
    kind: Kind
    boot: bool = False     # restarted and not yet synced
    fault: bool = False
    busy: bool = False     # an evaluator waiting for the citizen


@dataclass(frozen=True)
class KeyPress:
    key: Key
    arg: int = 0


@dataclass(frozen=True)
class Evaluation:
    prompt: int
    score: int       # 1..5, or NO_ANSWER


@dataclass(frozen=True)
class Acked:
    of: str          # the command acknowledged: "sync", "text", "brightness", "prompt"


@dataclass(frozen=True)
class Nak:
    of: str
    reason: int


COMMANDS = (ShowText, Brightness, Prompt)     # master requests that carry a sequence bit
EVENTS = (KeyPress, Evaluation)               # device reports that carry a sequence bit


@dataclass(frozen=True)
class Envelope:
    address: int
    body: object
    seq: int = 0
