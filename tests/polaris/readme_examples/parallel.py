from polaris import STATUS_SUCCESS, Bounds, Polaris, Trials


def pseudo_train(params, exp_info):
    lr_squared = (params["lr"] - 0.006) ** 2
    weight_decay_squared = (params["weight_decay"] - 0.02) ** 2
    loss = lr_squared + weight_decay_squared
    return {
        "loss": loss,
        "status": STATUS_SUCCESS,
    }


if __name__ == "__main__":
    bounds = [
        Bounds("lr", 0.001, 0.01),
        Bounds("weight_decay", 0.0002, 0.04),
    ]
    trials = Trials()
    polaris = Polaris(
        pseudo_train, bounds, "bayesian_opt", trials, max_evals=100, exp_key="this_is_test"
    )
    best_params = polaris.run_parallel()
    print(best_params)
