from setuptools import find_packages, setup

PACKAGE = "filmnav_common"

setup(
    name=PACKAGE,
    version="0.1.0",
    packages=find_packages(exclude=["test"]),
    data_files=[
        ("share/ament_index/resource_index/packages", [f"resource/{PACKAGE}"]),
        (f"share/{PACKAGE}", ["package.xml"]),
        (f"share/{PACKAGE}/config", ["config/fastdds_large_images.xml"]),
        # Sourcing the workspace applies it (colcon.pkg names it): the large-image DDS profile.
        (f"share/{PACKAGE}/hook", ["hook/filmnav.dsv"]),
        ("bin", ["scripts/filmnav"]),
    ],
    install_requires=["setuptools"],
    zip_safe=True,
    description=(
        "Shared plumbing: image codec (cv_bridge fallback), QoS profiles, status helpers, "
        "the pip-environment launch runner and the filmnav command line."
    ),
    license="Apache-2.0",
    entry_points={
        "console_scripts": [
            "talker = filmnav_common.demo_nodes:talker",
            "listener = filmnav_common.demo_nodes:listener",
        ]
    },
)
