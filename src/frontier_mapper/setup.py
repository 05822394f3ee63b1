from setuptools import find_packages, setup

PACKAGE = "frontier_mapper"

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
        "Depth + odometry occupancy map, exploration frontiers, and the RGB trajectory "
        "keyframe buffer."
    ),
    license="Apache-2.0",
    entry_points={
        "console_scripts": [
            "occupancy_mapper = frontier_mapper.occupancy_mapper:main",
            "trajectory_buffer = frontier_mapper.trajectory_buffer:main",
        ]
    },
)
