import Foundation

/// L2-regularised logistic regression fitted by Newton's method (iteratively reweighted least
/// squares) with step halving: exact, fast for the few dozen features scoring has, no dependencies.
public enum LogisticRegression {
    /// A fitted model: intercept and one weight per feature.
    public struct Fit: Hashable, Sendable {
        /// The log-odds when every feature is 0.
        public var intercept: Double
        /// One weight per feature column.
        public var weights: [Double]
        /// Newton iterations used.
        public var iterations: Int
        /// Whether the last step was below the tolerance.
        public var converged: Bool

        /// The probability of the positive class for `features`.
        public func probability(_ features: [Double]) -> Double {
            sigmoid(zip(weights, features).reduce(intercept) { $0 + $1.0 * $1.1 })
        }
    }

    /// A numerically safe logistic function.
    public static func sigmoid(_ z: Double) -> Double {
        if z >= 0 { return 1 / (1 + exp(-z)) }
        let e = exp(z)
        return e / (1 + e)
    }

    /// Fits weights to rows `x` (n × d) and labels `y` (true = positive), minimising the
    /// summed log-loss plus `l2` / 2 × ‖weights‖² (the intercept is not penalised).
    public static func fit(
        x: [[Double]], y: [Bool], l2: Double = 1, maxIterations: Int = 100, tolerance: Double = 1e-8
    ) -> Fit {
        let n = x.count
        let d = x.first?.count ?? 0
        guard n > 0 else { return Fit(intercept: 0, weights: Array(repeating: 0, count: d), iterations: 0, converged: true) }
        let p = d + 1  // parameter 0 is the intercept
        var beta = [Double](repeating: 0, count: p)
        let positives = Double(y.filter { $0 }.count)
        if positives > 0 && positives < Double(n) { beta[0] = log(positives / (Double(n) - positives)) }

        func objective(_ beta: [Double]) -> Double {
            var total = 0.0
            for i in 0..<n {
                var z = beta[0]
                for j in 0..<d { z += beta[j + 1] * x[i][j] }
                // log(1 + e^z) - y z, computed without overflow.
                let softplus = z > 0 ? z + log1p(exp(-z)) : log1p(exp(z))
                total += softplus - (y[i] ? z : 0)
            }
            var penalty = 0.0
            for j in 1..<p { penalty += beta[j] * beta[j] }
            return total + l2 / 2 * penalty
        }

        var current = objective(beta)
        var iterations = 0
        var converged = false
        while iterations < maxIterations {
            iterations += 1
            var gradient = [Double](repeating: 0, count: p)
            var hessian = [[Double]](repeating: [Double](repeating: 0, count: p), count: p)
            var row = [Double](repeating: 1, count: p)
            for i in 0..<n {
                for j in 0..<d { row[j + 1] = x[i][j] }
                var z = 0.0
                for j in 0..<p { z += beta[j] * row[j] }
                let probability = sigmoid(z)
                let residual = probability - (y[i] ? 1 : 0)
                let weight = max(probability * (1 - probability), 1e-12)
                for a in 0..<p {
                    gradient[a] += residual * row[a]
                    let wa = weight * row[a]
                    if wa == 0 { continue }
                    for b in a..<p { hessian[a][b] += wa * row[b] }
                }
            }
            for a in 0..<p { for b in 0..<a { hessian[a][b] = hessian[b][a] } }
            for j in 1..<p {
                gradient[j] += l2 * beta[j]
                hessian[j][j] += l2
            }
            hessian[0][0] += 1e-9
            guard let step = solve(hessian, gradient) else { break }

            // Step halving keeps every iteration downhill, even far from the optimum.
            var scale = 1.0
            var candidate = beta
            var value = current
            for _ in 0..<30 {
                candidate = zip(beta, step).map { $0 - scale * $1 }
                value = objective(candidate)
                if value <= current + 1e-12 { break }
                scale /= 2
            }
            let moved = zip(beta, candidate).map { abs($0 - $1) }.max() ?? 0
            beta = candidate
            current = value
            if moved < tolerance {
                converged = true
                break
            }
        }
        return Fit(intercept: beta[0], weights: Array(beta.dropFirst()), iterations: iterations, converged: converged)
    }

    /// Solves `a · x = b` by Gaussian elimination with partial pivoting; `nil` when singular.
    static func solve(_ a: [[Double]], _ b: [Double]) -> [Double]? {
        let n = b.count
        var m = a
        var v = b
        for column in 0..<n {
            var pivot = column
            for r in (column + 1)..<max(n, column + 1) where abs(m[r][column]) > abs(m[pivot][column]) { pivot = r }
            guard abs(m[pivot][column]) > 1e-300 else { return nil }
            if pivot != column {
                m.swapAt(pivot, column)
                v.swapAt(pivot, column)
            }
            for r in (column + 1)..<max(n, column + 1) {
                let factor = m[r][column] / m[column][column]
                if factor == 0 { continue }
                for c in column..<n { m[r][c] -= factor * m[column][c] }
                v[r] -= factor * v[column]
            }
        }
        var x = [Double](repeating: 0, count: n)
        for r in stride(from: n - 1, through: 0, by: -1) {
            var sum = v[r]
            for c in (r + 1)..<max(n, r + 1) { sum -= m[r][c] * x[c] }
            x[r] = sum / m[r][r]
        }
        return x.allSatisfy(\.isFinite) ? x : nil
    }
}
