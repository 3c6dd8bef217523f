"""Generate an N-row results file as a timing company would send it (CSV, common headers)."""

from __future__ import annotations

import csv
import random
import sys

FIRST = ["Anna", "Maria", "Wojciech", "Pak", "Jon", "Kim", "Mikhail", "Michail", "Lars", "Søren", "José",
         "Zoë", "Ama", "Chen", "Aiko", "Fatima", "Olu", "Ivan", "Marta", "Kopeć", "Łukasz", "Noor", "Sean", "Eva"]
LAST = ["Nowak", "Silva", "Kopec", "Kum-dong", "Su-gyong", "Ri", "Petrov", "Müller", "García", "O'Brien",
        "Nakamura", "Okafor", "Hansen", "Dubois", "Rossi", "Kowalski", "Smith", "Jensen", "Novák", "Haddad",
        "Yılmaz", "Andersen", "Björk", "Tanaka", "Mensah", "Costa", "Ferreira", "Lindqvist", "Kaur", "Wang"]
NATIONS = ["POL", "PRK", "USA", "GBR", "DEN", "POR", "ESP", "GER", "JPN", "KEN", "ETH", "FRA", "ITA", "CHN"]


def hms(ms: int) -> str:
    s, frac = divmod(ms, 1000)
    h, rest = divmod(s, 3600)
    return f"{h}:{rest // 60:02d}:{rest % 60:02d}"


def write(path: str, rows: int, seed: int = 1) -> None:
    """Bibs from 1000 for seed 1, from seed x 10,000,000 otherwise: each file's runners are other
    people, and a race gives each bib to one runner (two names on one bib are a `bib` dispute)."""
    rng = random.Random(seed)
    first_bib = 1000 if seed == 1 else seed * 10_000_000
    finishers = int(rows * 0.97)
    with open(path, "w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["Place", "Bib", "First Name", "Last Name", "Sex", "Nat", "YOB", "Gun Time", "Chip Time", "Status"])
        start, span = (2 * 3600 + 6 * 60) * 1000, 5 * 3600 * 1000
        for i in range(rows):
            first, last = rng.choice(FIRST), f"{rng.choice(LAST)}{'' if i % 7 else ' ' + rng.choice(LAST)}"
            sex, nat, yob = rng.choice("MF"), rng.choice(NATIONS), rng.randint(1940, 2007)
            if i < finishers:
                gun = start + span * i // finishers
                chip = gun - rng.randint(0, 60_000)
                out.writerow([i + 1, first_bib + i, first, last, sex, nat, yob, hms(gun), hms(chip), "FIN"])
            else:
                out.writerow(["", first_bib + i, first, last, sex, nat, yob, "DNF" if i % 2 else "", "", "" if i % 2 else "DNS"])


if __name__ == "__main__":
    write(sys.argv[1], int(sys.argv[2]))
