"""One assessment round worked out by hand, shared by the service and the
GraphQL tests of mutual control.

Subjects A, B, C, D, E are admitted in that order; E assesses and is assessed,
then withdraws, so only A-D count. Norms: N1 on 1..5 with weight 2, N2 on
0..10 with weight 1; N3 is adopted but not part of the round.

Latest revisions, normalised ((score - min) / (max - min)):
  A→B  N1 1 then 5 (revision 2) → 1.0,  N2 5 → 0.5   m = (2·1.0 + 1·0.5) / 3 = 5/6
  A→C  N1 3 → 0.5                                     m = 1/2
  B→A  N2 10 → 1.0                                    m = 1
  B→C  N1 1 → 0,  N2 0 → 0                            m = 0 (a score, not null)
  C→B  N1 3 → 0.5, N2 2 → 0.2                         m = (1.0 + 0.2) / 3 = 2/5
  D→B  N2 10 → 1.0                                    m = 1
  E→A, A→E                                            left out: E withdrew

matrix (rows assessors, columns assessees, order A B C D):
  A [ -    5/6  1/2  - ]
  B [ 1    -    0    - ]
  C [ -    2/5  -    - ]
  D [ -    1    -    - ]

received: A 1 (1 assessor); B (5/6 + 2/5 + 1) / 3 = 67/90 (3); C (1/2 + 0) / 2 = 1/4 (2);
D null (0). coverage 6 / (4·3) = 1/2. reciprocity: AB, BA, BC, CB are mutual of
the 6 assessed pairs = 2/3. unassessed: D.

deviations (|m[i][j] - mean of the other assessors' m[k][j]|, averaged over j):
  A: B |5/6 - (2/5 + 1)/2| = 2/15;  C |1/2 - 0| = 1/2     → (2/15 + 1/2) / 2 = 19/60
  B: A has no other assessor;       C |0 - 1/2| = 1/2      → 1/2
  C: B |2/5 - (5/6 + 1)/2| = 31/60                         → 31/60
  D: B |1 - (5/6 + 2/5)/2| = 23/60                         → 23/60
outliers at 0.25: C 31/60, B 1/2, D 23/60, A 19/60 (largest first);
at 0.4: C, B; at 0.5: C only (B's 1/2 does not exceed it).
"""

from __future__ import annotations

SUBJECTS = ["A", "B", "C", "D", "E"]
ACTIVE = ["A", "B", "C", "D"]
NORMS = {"N1": (1, 5, 2.0), "N2": (0, 10, 1.0), "N3": (1, 5, 1.0)}
ROUND_NORMS = ["N1", "N2"]

# (assessor, assessee, norm, score), in the order they are recorded.
STEPS = [
    ("A", "B", "N1", 1),
    ("A", "B", "N1", 5),
    ("A", "B", "N2", 5),
    ("A", "C", "N1", 3),
    ("B", "A", "N2", 10),
    ("B", "C", "N1", 1),
    ("B", "C", "N2", 0),
    ("C", "B", "N1", 3),
    ("C", "B", "N2", 2),
    ("D", "B", "N2", 10),
    ("E", "A", "N1", 1),
    ("A", "E", "N1", 5),
]
WITHDRAWN = "E"

MATRIX = [
    [None, 5 / 6, 1 / 2, None],
    [1.0, None, 0.0, None],
    [None, 2 / 5, None, None],
    [None, 1.0, None, None],
]
RECEIVED = {"A": (1.0, 1), "B": (67 / 90, 3), "C": (1 / 4, 2), "D": (None, 0)}
COVERAGE = 1 / 2
RECIPROCITY = 2 / 3
UNASSESSED = ["D"]
OUTLIERS = {
    0.25: [("C", 31 / 60), ("B", 1 / 2), ("D", 23 / 60), ("A", 19 / 60)],
    0.4: [("C", 31 / 60), ("B", 1 / 2)],
    0.5: [("C", 31 / 60)],
}
# A's latest revisions: (assessee, norm) → (score, revision).
A_LATEST = {
    ("B", "N1"): (5.0, 2),
    ("B", "N2"): (5.0, 1),
    ("C", "N1"): (3.0, 1),
    ("E", "N1"): (5.0, 1),
}
