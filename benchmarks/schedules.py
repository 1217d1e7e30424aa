"""Generated schedule JSON exports of any size, and the time `confarchive import` takes on one.

    python -m benchmarks.schedules --events 10000

Events spread over days and rooms as at a large congress (ten rooms, ~40 events a room a day),
with two or three speakers each from a pool one third the size of the programme, HTML lists in
some descriptions, and German and English talks.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

FIRST_NAMES = ("Anna", "Ben", "Clara", "David", "Eva", "Felix", "Greta", "Hans", "Ida", "Jonas", "Karin", "Lars",
               "Mette", "Nils", "Olga", "Peter", "Rasmus", "Sofie", "Tobias", "Ulla")
SYLLABLES = ("ka", "ro", "mi", "ten", "sa", "lu", "ber", "do", "vin", "ga", "stor", "hel", "ni", "pe", "var", "ul")
ROOMS = 10
PER_ROOM_DAY = 40


def generated_schedule(events: int, seed: str = "gen") -> dict:
    """A schedule JSON document (pretalx shape) with this many events."""
    days: dict[int, dict] = {}
    speakers = max(3, events // 3)
    for number in range(1, events + 1):
        day, rest = divmod(number - 1, ROOMS * PER_ROOM_DAY)
        room, slot = divmod(rest, PER_ROOM_DAY)
        start = 9 * 60 + slot * 20
        day_date = date(2030, 1, 1) + timedelta(days=day)
        when = day_date + timedelta(days=start // 1440)
        clock = f"{start % 1440 // 60:02d}:{start % 60:02d}"
        days.setdefault(day, {"index": day + 1, "date": day_date.isoformat(),
                              "day_start": f"{day_date}T09:00:00+01:00", "day_end": f"{day_date}T23:59:00+01:00",
                              "rooms": {}})["rooms"].setdefault(f"Room {room + 1}", []).append(
            _event(number, seed, f"{when}T{clock}:00+01:00", clock, f"Room {room + 1}", speakers))
    return {"schedule": {"version": "1", "conference": {
        "acronym": f"{seed}30", "title": f"Generated Congress {seed}", "start": "2030-01-01",
        "end": (date(2030, 1, 1) + timedelta(days=max(days))).isoformat(), "daysCount": len(days),
        "timeslot_duration": "00:05", "time_zone_name": "Europe/Berlin", "days": list(days.values())}}}


def _event(number: int, seed: str, when: str, clock: str, room: str, speakers: int) -> dict:
    persons = [{"code": f"P{(number * k) % speakers:06d}", "name": _name((number * k) % speakers),
                "biography": f"Works on topic {number % 17}."} for k in (1, 7, 13)[: 2 + number % 2]]
    description = (f"Talk {number} on distributed systems number {number % 31}." if number % 5 else
                   "<p>What we cover:</p><ul><li>one thing</li><li>another thing</li></ul>")
    return {"id": number, "guid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{seed}/{number}")), "date": when,
            "start": clock, "duration": "00:20", "room": room, "slug": f"{seed}-{number}",
            "url": f"https://example.org/{seed}/{number}", "title": f"Generated talk {number} about systems",
            "subtitle": "", "track": f"Track {number % 12}", "type": "Talk 20 min", "language": "de" if number % 4 == 0 else "en",
            "abstract": f"Abstract {number}.", "description": description, "persons": persons, "links": []}


def _name(index: int) -> str:
    """A distinct two-word name per index, as varied as real names (the validator compares similar ones)."""
    surname, rest = "", index
    while True:
        rest, syllable = divmod(rest, len(SYLLABLES))
        surname += SYLLABLES[syllable]
        if not rest:
            break
    return f"{FIRST_NAMES[index % len(FIRST_NAMES)]} {surname.capitalize()}sen"


def time_import(events: int) -> tuple[float, float]:
    """(wall-clock, CPU) seconds of `confarchive import` of a generated export into an empty corpus, in a
    fresh process. On a shared machine the CPU time is the figure that compares."""
    with tempfile.TemporaryDirectory() as folder:
        corpus = Path(folder) / "corpus"
        corpus.mkdir()
        shutil.copy(Path(__file__).resolve().parent.parent / "corpus" / "taxonomy.yaml", corpus)
        export = Path(folder) / "schedule.json"
        export.write_text(json.dumps(generated_schedule(events)), encoding="utf-8")
        began, cpu = time.perf_counter(), child_cpu()
        subprocess.run([sys.executable, "-c", "from confarchive.cli import main; main()", "import", str(export), "--organiser", "Bench",
                        "--corpus", str(corpus)], check=True, stdout=subprocess.DEVNULL)
        return time.perf_counter() - began, child_cpu() - cpu


def child_cpu() -> float:
    """CPU seconds (user + system) of the child processes waited for so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    args = parser.parse_args()
    wall, cpu = time_import(args.events)
    print(f"{args.events} events imported in {wall:.1f} s ({cpu:.1f} s of CPU)")


if __name__ == "__main__":
    main()
