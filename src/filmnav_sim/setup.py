from setuptools import find_packages, setup

PACKAGE = "filmnav_sim"

setup(
    name=PACKAGE,
    version="0.1.0",
    packages=find_packages(exclude=["test"]),
    package_data={
        PACKAGE: ["data/*.json"]
    },  # room priors of the train houses (filmnav sim priors)
    data_files=[
        ("share/ament_index/resource_index/packages", [f"resource/{PACKAGE}"]),
        (f"share/{PACKAGE}", ["package.xml"]),
    ],
    install_requires=["setuptools"],
    zip_safe=True,
    description=(
        "Procedural houses rendered with MuJoCo, geodesics, Habitat-style episodes and metrics, "
        "and a habitat-sim adapter with the same interface. No ROS."
    ),
    license="Apache-2.0",
    entry_points={"console_scripts": []},
)
