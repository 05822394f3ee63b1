from glob import glob

from setuptools import find_packages, setup

PACKAGE = "filmnav_bringup"

setup(
    name=PACKAGE,
    version="0.1.0",
    packages=find_packages(exclude=["test"]),
    data_files=[
        ("share/ament_index/resource_index/packages", [f"resource/{PACKAGE}"]),
        (f"share/{PACKAGE}", ["package.xml"]),
        (f"share/{PACKAGE}/launch", glob("launch/*.launch.yaml")),
        (f"share/{PACKAGE}/config", glob("config/*.yaml") + glob("config/*.rviz")),
    ],
    install_requires=["setuptools"],
    zip_safe=True,
    description="Bring-up of the stack: launch files and parameters for a robot and for "
    "simulation, the simulated demo and the headless evaluation.",
    license="Apache-2.0",
)
