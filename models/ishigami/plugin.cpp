// Engine adapter for the Ishigami test function: binds x1, x2, x3, a, b, writes f (the value,
// point-level) and y = f + noise_sd Z (replication-level, Z standard normal), whose point mean
// converges to f: the replication-level path of [sensitivity].
#include <numbers>

#include "economics.hpp"
#include "tariffsim/model.hpp"
#include "tariffsim/outputs.hpp"
#include "tariffsim/registry.hpp"

namespace tariffsim::ishigami {

namespace {

struct Evaluation : PointState {
  double f = 0, noise_sd = 0;
};
struct Noisy {
  double y = 0;
};

ModelInfo make_info() {
  constexpr double pi = std::numbers::pi;
  ModelInfo m;
  m.name = "ishigami";
  m.version = "1.0.0";
  m.citation =
      "Ishigami, T. and Homma, T. (1990), An importance quantification technique in uncertainty "
      "analysis for computer models, Proc. ISUMA '90, 398-403";
  m.description =
      "The Ishigami function f = sin x1 + a sin^2 x2 + b x3^4 sin x1, a test of [sensitivity] "
      "with known Sobol indices; y adds normal noise per replication";
  m.stochastic = true;
  m.params = {
      real_param("x1", 0.0, {-pi, pi}, "1", "first input, uniform on [-pi, pi] in the test"),
      real_param("x2", 0.0, {-pi, pi}, "1", "second input"),
      real_param("x3", 0.0, {-pi, pi}, "1", "third input"),
      real_param("a", 7.0, kNonNegative, "1", "weight of sin^2 x2"),
      real_param("b", 0.1, kNonNegative, "1", "weight of x3^4 sin x1"),
      real_param("noise_sd", 1.0, kNonNegative, "1", "standard deviation of the noise in y"),
  };
  return m;
}

class IshigamiModel final : public Model {
 public:
  const ModelInfo& info() const override { return info_; }
  std::unique_ptr<PointState> make_state() const override { return std::make_unique<Evaluation>(); }

  void prepare(const Point& point, PointOutputs& out, PointState& state) const override {
    auto& v = static_cast<Evaluation&>(state);
    v.f = ishigami_function(point.real(x1_), point.real(x2_), point.real(x3_), point.real(a_),
                            point.real(b_));
    v.noise_sd = point.real(noise_sd_);
    exact_.write(v, out);
  }

  void replicate(const PointState& state, Replication& rep) const override {
    const auto& v = static_cast<const Evaluation&>(state);
    Stream noise = rep.stream("noise");
    noisy_.write(Noisy{v.f + v.noise_sd * noise.normal()}, rep);
  }

 private:
  ModelInfo info_ = make_info();
  const ParamRef x1_{info_, "x1"}, x2_{info_, "x2"}, x3_{info_, "x3"}, a_{info_, "a"},
      b_{info_, "b"}, noise_sd_{info_, "noise_sd"};
  PointMetrics<Evaluation> exact_{info_,
                                  {{"f", "1", "the Ishigami function", field<&Evaluation::f>}}};
  ReplicationMetrics<Noisy> noisy_{
      info_, {{"y", "1", "f plus normal noise of sd noise_sd", field<&Noisy::y>}}};
};

TARIFFSIM_REGISTER_MODEL(IshigamiModel)

}  // namespace

}  // namespace tariffsim::ishigami
