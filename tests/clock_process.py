"""`mentorbot clock` as a child process whose output tests wait on, line by line, as it is written."""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.test_cli import mentorbot_executable


class ClockOutput:
    """What the clock process has written so far; each new line wakes whoever waits on it."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self._process = process
        self._lines: list[str] = []
        self._ended = False
        self._changed = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self._process.stdout is not None
        for raw in self._process.stdout:
            with self._changed:
                self._lines.append(raw.decode(errors="replace"))
                self._changed.notify_all()
        with self._changed:
            self._ended = True
            self._changed.notify_all()

    @property
    def text(self) -> str:
        """Everything written so far."""
        with self._changed:
            return "".join(self._lines)

    def wait(self, condition: Callable[[str], bool], what: str, timeout: float = 60.0) -> None:
        """Wait until `condition` holds for the output so far; fails if the process ends first."""
        with self._changed:
            done = self._changed.wait_for(lambda: condition("".join(self._lines)) or self._ended, timeout)
            text = "".join(self._lines)
        assert done, f"waited {timeout} s for {what}; the clock wrote:\n{text}"
        assert condition(text), f"the clock ended before {what}; it wrote:\n{text}"

    def close(self) -> None:
        """Stop the process and read what is left."""
        self._process.terminate()
        self._process.wait(timeout=20)
        self._reader.join(timeout=20)


@contextmanager
def running_clock(env: dict[str, str], cwd: Path) -> Iterator[ClockOutput]:
    """`mentorbot clock --every 1` running with `env` until the block ends."""
    process = subprocess.Popen(
        [*mentorbot_executable(), "clock", "--every", "1"],
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    output = ClockOutput(process)
    try:
        yield output
    finally:
        output.close()
