from setuptools import find_packages, setup

PACKAGE = "filmnav_policy"

setup(
    name=PACKAGE,
    version="0.1.0",
    packages=find_packages(exclude=["test"]),
    package_data={PACKAGE: ["shipped/compact/*"]},  # the trained compact checkpoint
    data_files=[
        ("share/ament_index/resource_index/packages", [f"resource/{PACKAGE}"]),
        (f"share/{PACKAGE}", ["package.xml"]),
    ],
    install_requires=["setuptools"],
    zip_safe=True,
    description=(
        "Frontier-selection policies (fine-tuned VLM, compact, nearest and random baselines) "
        "and the policy service node."
    ),
    license="Apache-2.0",
    entry_points={
        "console_scripts": [
            "policy_node = filmnav_policy.policy_node:main",
        ]
    },
)
