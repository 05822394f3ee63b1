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
        "Simulator-backed robot: camera, depth, odometry, clock and a navigate_to_pose action "
        "server over the built-in MuJoCo sim or habitat-sim."
    ),
    license="Apache-2.0",
    entry_points={"console_scripts": ["bridge_node = habitat_bridge.bridge_node:main"]},
)
