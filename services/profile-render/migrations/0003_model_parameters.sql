-- A model's parameter names (newline-separated), loaded by the operator.
CREATE TABLE model_parameters (
  model text PRIMARY KEY,
  names text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
