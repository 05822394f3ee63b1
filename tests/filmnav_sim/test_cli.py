import shutil
import subprocess

import imageio.v3 as iio


def test_sim_render_writes_map_and_views(tmp_path):
    result = subprocess.run(
        [
            shutil.which("filmnav"),
            "sim",
            "render",
            "--seed",
            "4",
            "--out",
            str(tmp_path),
            "--views",
            "2",
            "--width",
            "96",
            "--height",
            "72",
            "--max-rooms",
            "4",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "house 4" in result.stdout
    house_map = iio.imread(tmp_path / "house.png")
    views = iio.imread(tmp_path / "views.png")
    assert house_map.shape[0] > 300 and house_map.shape[1] > 300
    assert views.shape[0] == 3 * 72 and views.shape[1] == 2 * 96 + 4
    assert views.std() > 10


def test_sim_render_large_house(tmp_path, capsys):
    from filmnav_sim.cli import main

    args = ["render", "--seed", "5", "--houses", "large", "--out", str(tmp_path)]
    assert main([*args, "--views", "1", "--width", "64", "--height", "48"]) == 0
    assert "house 5" in capsys.readouterr().out
    views = iio.imread(tmp_path / "views.png")
    assert views.shape[:2] == (3 * 48, 64) and views.std() > 10
    assert iio.imread(tmp_path / "house.png").shape[0] > 300
