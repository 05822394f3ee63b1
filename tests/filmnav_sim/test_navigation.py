import numpy as np
import pytest

from filmnav_sim.navigation import NavGrid


@pytest.fixture(scope="module")
def open_grid() -> NavGrid:
    return NavGrid(np.ones((160, 200), bool), 0.05, (-1.0, -2.0))


@pytest.fixture(scope="module")
def split_grid() -> NavGrid:
    navigable = np.ones((100, 100), bool)
    navigable[:, 48:52] = False  # a wall with no door splits the grid in two
    return NavGrid(navigable, 0.05, (0.0, 0.0))


def test_coordinates_round_trip(open_grid):
    row, col = open_grid.world_to_cell((1.23, 0.51))
    x, y = open_grid.cell_to_world((row, col))
    assert abs(x - 1.23) <= 0.025 and abs(y - 0.51) <= 0.025
    assert open_grid.is_navigable((0.0, 0.0)) and not open_grid.is_navigable((50.0, 0.0))


def test_geodesic_equals_euclidean_in_open_space(open_grid):
    rng = np.random.default_rng(0)
    for _ in range(5):
        start, goal = rng.uniform([-0.8, -1.8], [8.8, 5.8], size=(2, 2))
        euclidean = np.linalg.norm(goal - start)
        geodesic = open_grid.geodesic_distance(start, goal[None])
        # Up to the grid's quantisation (one cell), never shorter and within 3% of the line.
        assert geodesic >= euclidean - open_grid.resolution
        assert abs(geodesic - euclidean) <= 0.03 * euclidean + open_grid.resolution


def test_geodesic_goes_around_obstacles_and_is_inf_when_unreachable(split_grid):
    left, right = (1.0, 2.5), (4.0, 2.5)
    assert np.isinf(split_grid.geodesic_distance(left, np.array([right])))
    assert split_grid.shortest_path(left, right).shape == (0, 2)
    navigable = split_grid.navigable.copy()
    navigable[90:, 48:52] = True  # open a door at the top
    grid = NavGrid(navigable, 0.05, (0.0, 0.0))
    geodesic = grid.geodesic_distance(left, np.array([right]))
    assert geodesic > np.linalg.norm(np.subtract(right, left)) + 1.0
    path = grid.shortest_path(left, right)
    assert np.allclose(path[0], left) and np.allclose(path[-1], right)
    assert all(grid.segment_clear(a, b) for a, b in zip(path[:-1], path[1:], strict=True))
    length = np.sum(np.linalg.norm(np.diff(path, axis=0), axis=1))
    assert abs(length - geodesic) <= 0.05 * geodesic


def test_distance_field_takes_the_nearest_of_several_goals(open_grid):
    goals = np.array([[0.0, 0.0], [6.0, 0.0]])
    field = open_grid.distance_field(goals)
    row, col = open_grid.world_to_cell((5.0, 0.0))
    assert field[row, col] == pytest.approx(1.0, abs=0.05)
    assert open_grid.geodesic_distance((5.0, 0.0), goals) == pytest.approx(1.0, abs=0.05)


def test_snap_finds_the_nearest_navigable_cell(split_grid):
    x, y = split_grid.snap((2.5, 1.0))  # inside the wall
    assert split_grid.is_navigable((x, y))
    assert abs(x - 2.5) <= 0.15 and abs(y - 1.0) <= 0.05


def test_distance_field_of_an_isolated_goal_cell_is_zero_there_and_inf_elsewhere():
    navigable = np.zeros((20, 20), dtype=bool)
    navigable[2:10, 2:10] = True
    navigable[15, 15] = True  # a one-cell pocket: no zero contour for fast marching
    grid = NavGrid(navigable, resolution=0.05, origin=(0.0, 0.0))
    field = grid.distance_field(np.array([grid.cell_to_world((15, 15))]))
    assert field[15, 15] == 0.0
    assert np.isinf(field[5, 5])
    assert (
        grid.geodesic_distance(
            grid.cell_to_world((5, 5)), np.array([grid.cell_to_world((15, 15))])
        )
        == np.inf
    )


def test_distance_field_reaches_a_goal_cell_whose_only_neighbours_are_diagonal():
    navigable = np.zeros((10, 10), dtype=bool)
    navigable[2:8, 2:5] = True
    navigable[8, 5] = True  # touches the block only at a corner
    grid = NavGrid(navigable, resolution=0.1, origin=(0.0, 0.0))
    goal = np.array([grid.cell_to_world((8, 5))])
    field = grid.distance_field(goal)
    assert field[8, 5] == 0.0
    assert np.isfinite(field[2, 2]) and field[2, 2] == pytest.approx(
        np.hypot(6, 3) * 0.1, abs=0.25
    )


def test_path_waypoints_come_one_at_a_time_as_the_shortest_path(split_grid):
    navigable = split_grid.navigable.copy()
    navigable[90:, 48:52] = True  # a door at the top: the path turns twice
    grid = NavGrid(navigable, 0.05, (0.0, 0.0))
    left, right = (1.0, 2.5), (4.0, 2.5)
    path = grid.shortest_path(left, right)
    waypoints = grid.path_waypoints(left, right)
    assert np.array_equal(next(waypoints), path[0]) and np.array_equal(next(waypoints), path[1])
    assert np.array_equal(np.array([path[0], path[1], *waypoints]), path)
    assert list(split_grid.path_waypoints(left, right)) == []  # no door: no path


def test_goals_in_the_same_cell_share_one_distance_field(open_grid):
    goal = np.array([[2.01, 1.02]])
    centre = np.array([open_grid.cell_to_world(open_grid.world_to_cell(goal[0]))])
    assert open_grid.distance_field(goal) is open_grid.distance_field(centre)
    assert open_grid.distance_field(goal) is not open_grid.distance_field(goal + 0.05)
