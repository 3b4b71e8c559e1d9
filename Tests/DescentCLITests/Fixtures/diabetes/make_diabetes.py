"""Writes the diabetes regression fixture of DescentCLITests (issue 15, "defaults that learn").

scikit-learn's diabetes data (Efron et al., 2004, "Least Angle Regression"): 442 patients, ten
baseline variables in their original units (scaled=False) and a measure of disease progression one
year later. Shuffled with seed 0 and split 80/20 into train.csv and test.csv; expected.json holds
the test MSE of ordinary least squares (scikit-learn's LinearRegression) and of predicting the
training mean, which the CLI test compares `descent train` with default options against.

Run: pip install scikit-learn && python3 make_diabetes.py
"""
import json

import numpy as np
from sklearn.datasets import load_diabetes
from sklearn.linear_model import LinearRegression

data = load_diabetes(scaled=False)
names = list(data.feature_names) + ["progression"]
table = np.column_stack([data.data, data.target])
order = np.random.default_rng(0).permutation(len(table))
table = table[order]
cut = int(0.8 * len(table))
train, test = table[:cut], table[cut:]


def write(path, rows):
    with open(path, "w") as f:
        f.write(",".join(names) + "\n")
        for row in rows:
            f.write(",".join(f"{v:g}" for v in row) + "\n")


write("train.csv", train)
write("test.csv", test)
model = LinearRegression().fit(train[:, :-1], train[:, -1])
ols = float(np.mean((model.predict(test[:, :-1]) - test[:, -1]) ** 2))
mean = float(np.mean((train[:, -1].mean() - test[:, -1]) ** 2))
with open("expected.json", "w") as f:
    json.dump({"linearRegressionTestMSE": ols, "meanPredictionTestMSE": mean,
               "trainRows": len(train), "testRows": len(test)}, f, indent=2)
    f.write("\n")
print(f"linear regression test MSE {ols:.1f}, predicting the mean {mean:.1f}")
