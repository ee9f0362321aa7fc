// Distributions of the free-trade volume Vf (support in [0, inf)) with the exact partial moments
// the fixed point needs (spec §5). Pure functions: no engine types.
#pragma once

#include <string>
#include <vector>

namespace tariffsim::bagwell_staiger {

enum class DistKind { Degenerate, Discrete, Uniform, Lognormal, TruncNormal };

// Partial moments at a threshold v (spec §5). Upper parts use strict Vf > v.
struct PartialMoments {
  double p_above = 0;   // P(Vf > v)
  double e_above = 0;   // E[Vf; Vf > v]
  double excess1 = 0;   // E[(Vf - v)+]
  double excess2 = 0;   // E[(Vf - v)+^2]
  double e2_below = 0;  // E[Vf^2; Vf <= v]
};

class Distribution {
 public:
  static Distribution degenerate(double value);
  static Distribution discrete(std::vector<double> values, std::vector<double> probs);
  static Distribution uniform(double lo, double hi);
  static Distribution lognormal(double mean, double sd);     // moments of Vf itself
  static Distribution truncnormal(double mu, double sigma);  // parent normal, conditioned on >= 0

  // "" when the parameters define a valid distribution on [0, inf); else what is wrong
  // (negative support, probs not summing to 1, Phi(mu/sigma) underflow, ...).
  std::string invalid_reason() const;

  DistKind kind() const noexcept { return kind_; }
  double mean() const;           // E[Vf]
  double second_moment() const;  // E[Vf^2]
  double ess_sup() const;        // +inf for unbounded support
  PartialMoments partial(double v) const;
  double prob_below(double x) const;  // P(Vf < x), strict
  // Inverse CDF for simulation: Vf = quantile(u), u in (0,1). Lognormal and truncnormal use
  // tail-safe forms.
  double quantile(double u) const;

  // Raw parameters, for the simulation kernel.
  double p1 = 0, p2 = 0;              // (value,-) | (lo,hi) | (mean,sd) | (mu,sigma)
  double log_mu = 0, log_sigma = 0;   // lognormal: parameters of ln Vf
  std::vector<double> values, probs;  // discrete (degenerate: one atom)

 private:
  DistKind kind_ = DistKind::Degenerate;
  // Discrete: atoms sorted by value and their cumulative probabilities, for quantile().
  std::vector<double> sorted_values_, cumulative_;
  void build_quantile_table();
  PartialMoments partial_discrete(double v) const;
  PartialMoments partial_uniform(double v) const;
  PartialMoments partial_lognormal(double v) const;
  PartialMoments partial_truncnormal(double v) const;
};

}  // namespace tariffsim::bagwell_staiger
