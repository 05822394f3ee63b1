from setuptools import find_packages, setup

PACKAGE = "filmnav_detection"

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
    description="Goal detection: the detector node with the simulator's instance masks "
    "(sim_semantic) or OWLv2 (robots), placing the goal in the mapping frame.",
    license="Apache-2.0",
    entry_points={"console_scripts": ["detector_node = filmnav_detection.detector_node:main"]},
)
