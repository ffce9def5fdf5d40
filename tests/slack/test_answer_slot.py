"""The answer slot: one answer computes at a time, and acknowledgements go first."""

from __future__ import annotations

import threading
import time

from bot.slack.workers import AnswerSlot


def _start_answer(slot: AnswerSlot, started: threading.Event) -> threading.Thread:
    def answer() -> None:
        with slot:
            started.set()

    thread = threading.Thread(target=answer)
    thread.start()
    return thread


def test_an_answer_waits_while_a_request_is_acknowledged() -> None:
    slot = AnswerSlot(ack_wait=5.0)
    started = threading.Event()
    with slot.acknowledging():
        thread = _start_answer(slot, started)
        assert not started.wait(0.2)
        assert slot.acknowledging_now == 1
    assert started.wait(2.0)
    thread.join()
    assert slot.acknowledging_now == 0


def test_a_stream_of_acknowledgements_holds_an_answer_back_only_for_ack_wait() -> None:
    slot = AnswerSlot(ack_wait=0.1)
    started = threading.Event()
    with slot.acknowledging():
        begun = time.monotonic()
        thread = _start_answer(slot, started)
        assert started.wait(2.0)
        assert time.monotonic() - begun >= 0.09
    thread.join()


def test_one_answer_computes_at_a_time() -> None:
    slot = AnswerSlot(slots=1)
    inside, peak = 0, 0
    lock = threading.Lock()

    def answer() -> None:
        nonlocal inside, peak
        with slot:
            with lock:
                inside += 1
                peak = max(peak, inside)
            time.sleep(0.01)
            with lock:
                inside -= 1

    threads = [threading.Thread(target=answer) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert peak == 1
