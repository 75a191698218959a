"""A small sparse linear-program builder over OR-Tools' model builder (HiGHS or GLOP).

Variables come in named blocks (numpy index arrays); constraints are added a block at a time
from coordinate triplets, so a district model of tens of thousands of rows builds in numpy
rather than one Python call per coefficient. `LPSession` keeps one relaxation in HiGHS to
solve it again with other bounds or costs from the last basis.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

import highspy
import numpy as np
import scipy.sparse as sp
from highspy._core import _Highs
from ortools.linear_solver.python import model_builder_helper as mbh

INF = float("inf")


class SolveStatus(enum.Enum):
    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
    INFEASIBLE = "infeasible"
    NO_SOLUTION = "no_solution"   # time limit reached before any plan was found
    ERROR = "error"


@dataclass
class LinearProgram:
    maximize: bool = True
    lower: list = field(default_factory=list)
    upper: list = field(default_factory=list)
    cost: list = field(default_factory=list)
    integer: list = field(default_factory=list)
    n_vars: int = 0
    rows: list = field(default_factory=list)      # (row_ids, col_ids, coefs)
    row_lower: list = field(default_factory=list)
    row_upper: list = field(default_factory=list)
    row_names: list = field(default_factory=list)  # (name, start, count)
    n_rows: int = 0
    built: sp.csr_matrix | None = field(default=None, repr=False, compare=False)   # `matrix()` kept

    def add_vars(self, shape, lower=0.0, upper=INF, cost=0.0, integer=False) -> np.ndarray:
        """A block of variables with the given shape; returns their indices."""
        count = int(np.prod(shape))
        self.built = None
        index = np.arange(self.n_vars, self.n_vars + count).reshape(shape)
        self.n_vars += count
        self.lower.append(np.broadcast_to(np.asarray(lower, float), shape).ravel())
        self.upper.append(np.broadcast_to(np.asarray(upper, float), shape).ravel())
        self.cost.append(np.broadcast_to(np.asarray(cost, float), shape).ravel())
        self.integer.append(np.full(count, bool(integer)))
        return index

    def add_rows(self, name: str, terms: list[tuple[np.ndarray, np.ndarray | float]],
                 lower=-INF, upper=INF) -> np.ndarray:
        """Rows sum_k coef_k * var_k in [lower, upper]; each term is (vars, coefs) of the row shape.

        Every term's variable array has the shape of the block of rows (one variable per row
        per term); a term's coefficient is a scalar or an array of that shape. Use -1 entries in
        a variable array to leave a term out of a row.
        """
        shape = np.shape(terms[0][0])
        count = int(np.prod(shape))
        self.built = None
        row_ids = np.arange(self.n_rows, self.n_rows + count)
        for variables, coefs in terms:
            variables = np.asarray(variables).ravel()
            coefs = np.broadcast_to(np.asarray(coefs, float), np.shape(terms[0][0])).ravel()
            keep = (variables >= 0) & (coefs != 0)
            self.rows.append((row_ids[keep], variables[keep], coefs[keep]))
        self.row_lower.append(np.broadcast_to(np.asarray(lower, float), shape).ravel())
        self.row_upper.append(np.broadcast_to(np.asarray(upper, float), shape).ravel())
        self.row_names.append((name, self.n_rows, count))
        self.n_rows += count
        return row_ids.reshape(shape)

    def add_sum_rows(self, name: str, groups: list[np.ndarray], coefs: list[np.ndarray] | None = None,
                     lower=-INF, upper=INF) -> np.ndarray:
        """One row per group: sum of the group's variables (times coefs) in [lower, upper]."""
        self.built = None
        row_ids = np.arange(self.n_rows, self.n_rows + len(groups))
        if len(groups):   # all groups' triplets at once, in group order
            variables = [np.asarray(group).ravel() for group in groups]
            sizes = np.fromiter((len(group) for group in variables), np.int64, len(variables))
            if coefs is None:
                coef = np.ones(int(sizes.sum()))
            else:
                coef_list = [np.asarray(c, float).ravel() for c in coefs]
                if any(len(c) != n for c, n in zip(coef_list, sizes.tolist())):
                    raise ValueError(f"{name}: a group and its coefficients differ in length")
                coef = np.concatenate(coef_list)
            group = np.concatenate(variables)
            keep = (group >= 0) & (coef != 0)
            self.rows.append((np.repeat(row_ids, sizes)[keep], group[keep], coef[keep]))
        self.row_lower.append(np.broadcast_to(np.asarray(lower, float), (len(groups),)).ravel())
        self.row_upper.append(np.broadcast_to(np.asarray(upper, float), (len(groups),)).ravel())
        self.row_names.append((name, self.n_rows, len(groups)))
        self.n_rows += len(groups)
        return row_ids

    def row_block(self, name: str) -> slice:
        for block, start, count in self.row_names:
            if block == name:
                return slice(start, start + count)
        raise KeyError(name)

    def matrix(self) -> sp.csr_matrix:
        """The constraint matrix (rows x variables); built once and kept until rows or variables
        are added, so callers must not change it."""
        if self.built is not None:
            return self.built
        if self.rows:
            row_ids = np.concatenate([triplet[0] for triplet in self.rows])
            col_ids = np.concatenate([triplet[1] for triplet in self.rows])
            coefs = np.concatenate([triplet[2] for triplet in self.rows])
        else:
            row_ids = col_ids = np.zeros(0, dtype=np.int64)
            coefs = np.zeros(0)
        self.built = sp.csr_matrix((coefs, (row_ids, col_ids)), shape=(self.n_rows, self.n_vars))
        return self.built


@dataclass
class LPSolution:
    status: SolveStatus
    objective: float
    bound: float
    values: np.ndarray
    duals: np.ndarray | None
    seconds: float
    solver: str


def solve_lp(lp: LinearProgram, *, relax: bool = False, time_limit_seconds: float = 60.0,
             relative_gap: float = 1e-4, solver: str = "highs", fix: list | None = None,
             bounds: list | None = None, cost: np.ndarray | None = None,
             max_nodes: int | None = None) -> LPSolution:
    """Solve with HiGHS on one thread (deterministic); `relax` drops integrality.

    `fix` lists (variable index array, values) pairs to pin (lower = upper = value);
    `bounds` lists (variable index array, lower, upper) to narrow, applied before `fix`;
    `cost` replaces the objective's coefficients.
    """
    helper = mbh.ModelBuilderHelper()
    lower, upper = _narrowed(np.concatenate(lp.lower) if lp.lower else np.zeros(0),
                             np.concatenate(lp.upper) if lp.upper else np.zeros(0), bounds, fix)
    if cost is None:
        cost = np.concatenate(lp.cost) if lp.cost else np.zeros(0)
    row_lower = np.concatenate(lp.row_lower) if lp.row_lower else np.zeros(0)
    row_upper = np.concatenate(lp.row_upper) if lp.row_upper else np.zeros(0)
    helper.fill_model_from_sparse_data(lower, upper, cost, row_lower, row_upper, lp.matrix())
    helper.set_maximize(lp.maximize)
    integer = np.concatenate(lp.integer) if lp.integer else np.zeros(0, bool)
    if not relax:
        for index in np.flatnonzero(integer):
            helper.set_var_integrality(int(index), True)
    is_mip = (not relax) and integer.any()
    engine = mbh.ModelSolverHelper(solver)
    engine.enable_output(False)
    engine.set_time_limit_in_seconds(float(time_limit_seconds))
    if solver == "highs":
        params = ["threads=1", "random_seed=0", "presolve=on", "output_flag=false", "log_to_console=false"]
        if is_mip:
            params.append(f"mip_rel_gap={relative_gap}")
            if max_nodes is not None:
                params.append(f"mip_max_nodes={int(max_nodes)}")
        engine.set_solver_specific_parameters("\n".join(params))
    engine.solve(helper)
    raw = engine.status()
    seconds = engine.wall_time()
    if raw == mbh.SolveStatus.OPTIMAL:
        status = SolveStatus.OPTIMAL
    elif raw == mbh.SolveStatus.FEASIBLE:
        status = SolveStatus.FEASIBLE
    elif raw == mbh.SolveStatus.INFEASIBLE:
        status = SolveStatus.INFEASIBLE
    elif raw in (mbh.SolveStatus.NOT_SOLVED, mbh.SolveStatus.UNKNOWN_STATUS) and not engine.has_solution():
        status = SolveStatus.NO_SOLUTION
    else:
        status = SolveStatus.ERROR if not engine.has_solution() else SolveStatus.FEASIBLE
    if not engine.has_solution():
        return LPSolution(status, float("nan"), float("nan"), np.zeros(0), None, seconds, solver)
    values = np.asarray(engine.variable_values())
    objective = engine.objective_value()
    bound = engine.best_objective_bound() if is_mip else objective
    duals = None
    if not is_mip:
        try:
            duals = np.asarray(engine.dual_values())
        except Exception:  # some engines do not return duals
            duals = None
    return LPSolution(status, objective, bound, values, duals, seconds, solver)


PRIMAL_SIMPLEX = 4   # HiGHS' simplex_strategy for the primal simplex


class LPSession:
    """The relaxation of one program held in HiGHS (one thread, so deterministic). Each `solve`
    starts from the program's own bounds and costs, applies `bounds`, `fix` and `cost` as in
    `solve_lp`, and warm-starts the simplex from an earlier basis: re-solving with the integer
    decisions fixed, or with another objective, takes a fraction of the first solve.

    Presolve is off: a district's relaxation is already tight (presolve removes little and costs
    more than it saves; `benchmarks/lp_presolve.py` measures both). The dual simplex does not
    perturb the costs: more iterations, each cheaper (Hà Nội's 30 districts: LP 27.7 -> 23.7 CPU
    s, same optima; Hải Phòng and Đà Nẵng 13 % and 6 % less CPU in all)."""

    def __init__(self, lp: LinearProgram, *, time_limit_seconds: float = 60.0):
        self.lower = np.concatenate(lp.lower) if lp.lower else np.zeros(0)
        self.upper = np.concatenate(lp.upper) if lp.upper else np.zeros(0)
        self.cost = np.concatenate(lp.cost) if lp.cost else np.zeros(0)
        self.n_vars = lp.n_vars
        self.cold = True      # the next solve starts without a basis
        self.plain_basis = None   # the optimal basis of the program's own bounds and costs
        self.columns = np.arange(lp.n_vars, dtype=np.int32)
        self.highs = _Highs()   # the bare solver: highspy.Highs() prints a banner on stdout
        for option, value in (("output_flag", False), ("threads", 1), ("random_seed", 0), ("presolve", "off"),
                              ("dual_simplex_cost_perturbation_multiplier", 0.0),
                              ("time_limit", float(time_limit_seconds))):
            self.highs.setOptionValue(option, value)
        self.simplex_strategy = int(self.highs.getOptionValue("simplex_strategy")[1])
        matrix = lp.matrix().tocsc()
        # the arrays go to HiGHS as they are (filling a HighsLp's fields copies them element by
        # element through Python: about 1 s for Hà Nội's 30 districts)
        sense = highspy.ObjSense.kMaximize if lp.maximize else highspy.ObjSense.kMinimize
        self.highs.passModel(
            int(lp.n_vars), int(lp.n_rows), int(matrix.nnz), int(highspy.MatrixFormat.kColwise), int(sense), 0.0,
            np.ascontiguousarray(self.cost, dtype=np.float64), _finite(self.lower), _finite(self.upper),
            _finite(np.concatenate(lp.row_lower) if lp.row_lower else np.zeros(0)),
            _finite(np.concatenate(lp.row_upper) if lp.row_upper else np.zeros(0)),
            matrix.indptr.astype(np.int32), matrix.indices.astype(np.int32), matrix.data.astype(np.float64),
            np.zeros(lp.n_vars, dtype=np.int32))   # every column continuous: the relaxation

    def solve(self, *, fix: list | None = None, bounds: list | None = None,
              cost: np.ndarray | None = None) -> LPSolution:
        """Solve with these changes to the program. Other bounds start from the last basis (dual
        simplex). Another objective over the program's own bounds starts from the optimal basis
        of the first solve, which stays feasible (primal simplex); with other bounds too, or
        after a solve that failed, it starts afresh."""
        lower, upper = _narrowed(self.lower, self.upper, bounds, fix)
        highs = self.highs
        plain_bounds = not fix and not bounds
        primal = cost is not None and plain_bounds and self.plain_basis is not None
        if primal:
            highs.setBasis(self.plain_basis)
            highs.setOptionValue("simplex_strategy", PRIMAL_SIMPLEX)
        elif cost is not None or self.cold:
            highs.clearSolver()
        highs.changeColsBounds(len(self.columns), self.columns, _finite(lower), _finite(upper))
        highs.changeColsCost(len(self.columns), self.columns, self.cost if cost is None else np.asarray(cost, float))
        start = highs.getRunTime()
        highs.run()
        seconds = highs.getRunTime() - start
        if primal:
            highs.setOptionValue("simplex_strategy", self.simplex_strategy)
        raw = highs.getModelStatus()
        if raw == highspy.HighsModelStatus.kOptimal:
            status = SolveStatus.OPTIMAL
        elif raw in (highspy.HighsModelStatus.kInfeasible, highspy.HighsModelStatus.kUnboundedOrInfeasible):
            status = SolveStatus.INFEASIBLE
        elif raw == highspy.HighsModelStatus.kTimeLimit:
            status = SolveStatus.NO_SOLUTION
        else:
            status = SolveStatus.ERROR
        # the basis of another objective is far from this one's optimum: the next solve starts afresh
        self.cold = cost is not None or status != SolveStatus.OPTIMAL
        if status != SolveStatus.OPTIMAL:
            return LPSolution(status, float("nan"), float("nan"), np.zeros(0), None, seconds, "highs")
        if plain_bounds and cost is None and self.plain_basis is None:
            self.plain_basis = highs.getBasis()
        solution = highs.getSolution()
        objective = highs.getInfo().objective_function_value
        return LPSolution(status, objective, objective, np.asarray(solution.col_value),
                          np.asarray(solution.row_dual), seconds, "highs")


def _narrowed(lower: np.ndarray, upper: np.ndarray, bounds: list | None, fix: list | None
              ) -> tuple[np.ndarray, np.ndarray]:
    """Copies of the variable bounds with `bounds` (index, lower, upper) applied, then `fix`
    (index, value) pinned."""
    lower, upper = lower.copy(), upper.copy()
    for index, low, high in bounds or []:
        lower[np.asarray(index)] = low
        upper[np.asarray(index)] = high
    for index, value in fix or []:
        lower[np.asarray(index)] = value
        upper[np.asarray(index)] = value
    return lower, upper


def _finite(values: np.ndarray) -> np.ndarray:
    """Bounds for HiGHS: its own infinity where numpy has one."""
    return np.where(np.isposinf(values), highspy.kHighsInf, np.where(np.isneginf(values), -highspy.kHighsInf, values))
