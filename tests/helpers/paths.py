"""Where the tests find their material: the golden data, the repository, the seed story."""

from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent
DATA = TESTS / "data"
REPO = TESTS.parent
SEED = REPO.parent / "shared" / "seed" / "000_44a53a8fbc05faed.txt"
CORPUS = REPO.parent / "shared" / "corpus"
