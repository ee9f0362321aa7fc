// Test helper: fits a probit or logit with the engine's estimators to a CSV on stdin and prints
// every estimate as JSON, so a test can compare them with an independent implementation
// (statsmodels, tests/cli/test_estimators_statsmodels.py).
//
// usage: fit_binary_csv probit|logit < data.csv
// CSV: a header line, then rows "y,cluster,x_1,...,x_k" (the intercept, if any, is an x column).
#include <cmath>
#include <cstdio>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "tariffsim/estimators.hpp"

namespace {

struct Data {
  std::vector<double> y, x;
  std::vector<std::int64_t> cluster;
  Eigen::Index k = 0;
};

Data read_csv(std::istream& in) {
  Data d;
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::stringstream row(line);
    std::string cell;
    std::vector<double> values;
    while (std::getline(row, cell, ',')) values.push_back(std::stod(cell));
    if (values.size() < 3) continue;
    d.y.push_back(values[0]);
    d.cluster.push_back(static_cast<std::int64_t>(values[1]));
    d.x.insert(d.x.end(), values.begin() + 2, values.end());
    d.k = Eigen::Index(values.size() - 2);
  }
  return d;
}

// JSON has no NaN: a failed fit's numbers print as null.
void print_number(double v) {
  if (std::isfinite(v))
    std::printf("%.17g", v);
  else
    std::printf("null");
}

void print_matrix(const char* name, const Eigen::MatrixXd& m) {
  std::printf("\"%s\": [", name);
  for (Eigen::Index i = 0; i < m.rows(); ++i) {
    std::printf("%s[", i ? ", " : "");
    for (Eigen::Index j = 0; j < m.cols(); ++j) {
      std::printf("%s", j ? ", " : "");
      print_number(m(i, j));
    }
    std::printf("]");
  }
  std::printf("]");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: fit_binary_csv probit|logit < data.csv\n");
    return 2;
  }
  const auto link = std::string(argv[1]) == "logit" ? tariffsim::BinaryLink::Logit
                                                    : tariffsim::BinaryLink::Probit;
  const Data d = read_csv(std::cin);
  const Eigen::Index n = Eigen::Index(d.y.size());
  const Eigen::MatrixXd X =
      Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
          d.x.data(), n, d.k);
  const Eigen::VectorXd y = Eigen::Map<const Eigen::VectorXd>(d.y.data(), n);
  const auto fit = tariffsim::fit_binary(X, y, link);
  const Eigen::MatrixXd clustered = tariffsim::cluster_cov(fit, X, d.cluster);
  const Eigen::VectorXd xbar = tariffsim::column_means(X);
  Eigen::MatrixXd effects(d.k, 3);  // value, se (model cov), se (cluster cov)
  for (Eigen::Index j = 0; j < d.k; ++j) {
    const Eigen::VectorXd c = Eigen::VectorXd::Unit(d.k, j);
    const auto model = tariffsim::effect_at_means(fit, fit.cov, xbar, c);
    effects.row(j) << model.value, model.se, tariffsim::effect_at_means(fit, clustered, xbar, c).se;
  }
  std::printf("{\"status\": \"%s\", \"loglik\": ", tariffsim::to_string(fit.status));
  print_number(fit.loglik);
  std::printf(", \"iterations\": %d, ", fit.iterations);
  print_matrix("coef", fit.coef.transpose());
  std::printf(", ");
  print_matrix("cov", fit.cov);
  std::printf(", ");
  print_matrix("robust", tariffsim::robust_cov(fit, X));
  std::printf(", ");
  print_matrix("cluster", clustered);
  std::printf(", ");
  print_matrix("effects", effects);
  std::printf("}\n");
  return fit.ok() ? 0 : 1;
}
