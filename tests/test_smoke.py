from pathlib import Path

from tests.helpers import commits


def test_init_creates_a_committed_rota(rota: Path) -> None:
    assert (rota / "schedule.yaml").is_file()
    assert commits(rota) == ["Start the Lunch and learn rota"]
