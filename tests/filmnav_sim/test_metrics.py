import pytest

from filmnav_sim.metrics import soft_spl, spl, success


def test_success_needs_stop_and_goal():
    assert success(True, True) == 1.0
    assert success(False, True) == 0.0
    assert success(True, False) == 0.0


def test_spl_weights_success_by_path_efficiency():
    assert spl(1.0, 4.0, 4.0) == pytest.approx(1.0)
    assert spl(1.0, 4.0, 8.0) == pytest.approx(0.5)
    assert spl(1.0, 4.0, 3.9) == pytest.approx(1.0)  # never above 1 (grid quantisation)
    assert spl(0.0, 4.0, 4.0) == 0.0
    assert spl(1.0, 0.0, 0.0) == 1.0  # already there: turning to see it is a perfect path
    assert spl(1.0, 0.0, 2.0) == 0.0


def test_soft_spl_rewards_progress():
    assert soft_spl(0.0, 4.0, 4.0) == pytest.approx(1.0)
    assert soft_spl(2.0, 4.0, 4.0) == pytest.approx(0.5)
    assert soft_spl(2.0, 4.0, 8.0) == pytest.approx(0.25)
    assert soft_spl(6.0, 4.0, 3.0) == 0.0  # moved away from the goal
