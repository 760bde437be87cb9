"""The verdicts of the API benchmark (bench/api.py) on its figures: targets met or missed, and how p95
grows with the length of the ranked period."""


def period_ratios(all_results, lengths_by_endpoint):
    """p95 of the 30-day, last month's and a year's rankings over the 7-day one's (target <= 1.2)."""
    print("== p95 by period length / 7days (1 client, uncached; target <= 1.2)")
    for size, results in all_results.items():
        for endpoint, lengths in lengths_by_endpoint:
            base = results.get(f"{endpoint} 7days", {}).get("1 uncached")
            cells = [f"{length} {results[f'{endpoint} {length}']['1 uncached'][1] / base[1]:.2f}"
                     for length in lengths if base and f"{endpoint} {length}" in results]
            if cells:
                print(f"  {size:5s} {endpoint:16s} " + "  ".join(cells))


def verdict(all_results, endpoints):
    """Prints whether the sizes benchmark met its targets: p95 < 50 ms uncached and < 10 ms cached with one
    client, year-over-year < 200 ms, a soak without errors, p95(large) <= 1.3 x p95(small)."""
    ok = True
    for size, results in all_results.items():
        for name, row in results.items():
            if name == "soak":
                ok &= row["errors"] == 0
            elif name.startswith("year-over-year"):
                ok &= row["1 uncached"][1] < 200
            else:
                ok &= row["1 uncached"][1] < 50 and row["1 cached"][1] < 10
    if {"small", "large"} <= set(all_results):
        print("== p95 large / small (1 client, uncached; target <= 1.3)")
        for name, _ in endpoints:
            ratio = all_results["large"][name]["1 uncached"][1] / all_results["small"][name]["1 uncached"][1]
            ok &= ratio <= 1.3
            print(f"  {name:28s} {ratio:.2f}")
    print("targets met" if ok else "some targets missed (see above; the machine is shared, figures are noisy)")
