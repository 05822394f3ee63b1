from setuptools import find_packages, setup

PACKAGE = "goal_interface"

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
    description="Goal topics, the mission state machine and the Nav2 handoff.",
    license="Apache-2.0",
    entry_points={
        "console_scripts": ["goal_interface_node = goal_interface.goal_interface_node:main"]
    },
)
