from setuptools import find_packages, setup

PACKAGE = "habitat_bridge"

setup(
    name=PACKAGE,
    version="0.1.0",
    packages=find_packages(exclude=["test"]),
    data_files=[
        ("share/ament_index/resource_index/packages", [f"resource/{PACKAGE}"]),
        (f"share/{PACKAGE}", ["package.xml"]),
    ],
    install_requires=["setuptools"],
    zip_safe=True,
    description=(
        "Simulator-backed robot: camera, depth, odometry, TF, clock and a navigate_to_pose "
        "action server over the built-in MuJoCo sim or habitat-sim, and a Nav2 stand-in in "
        "front of it for robot-like tests."
    ),
    license="Apache-2.0",
    entry_points={
        "console_scripts": [
            "bridge_node = habitat_bridge.bridge_node:main",
            "nav2_stand_in = habitat_bridge.nav2_stand_in:main",
        ]
    },
)
