from setuptools import find_packages, setup

PACKAGE = "filmnav_learning"

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
    description="Learning from simulation: the headless episode loop, the simulator's reference "
    "policies (oracle, room_prior), data generation, the decision dataset and training.",
    license="Apache-2.0",
    entry_points={
        # Offered to filmnav_policy's registry (the policy node and `filmnav eval`) by name.
        "filmnav.policies": [
            "oracle = filmnav_learning.reference_policies:oracle",
            "room_prior = filmnav_learning.reference_policies:room_prior",
        ],
    },
)
