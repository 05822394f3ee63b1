from setuptools import find_packages, setup

PACKAGE = "filmnav_language"

setup(
    name=PACKAGE,
    version="0.1.0",
    packages=find_packages(exclude=["test"]),
    package_data={PACKAGE: ["vocabularies/*.yaml", "thresholds.yaml", "calibration.yaml"]},
    data_files=[
        ("share/ament_index/resource_index/packages", [f"resource/{PACKAGE}"]),
        (f"share/{PACKAGE}", ["package.xml"]),
    ],
    install_requires=["setuptools"],
    zip_safe=True,
    description=(
        "Goal grounding: free-form goal text to the object names of a vocabulary with the "
        "offline sentence encoder, thresholds calibrated on data. No ROS."
    ),
    license="Apache-2.0",
    entry_points={"console_scripts": []},
)
