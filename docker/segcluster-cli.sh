#!/bin/sh
# `segcluster ...` inside the silo image (e.g. kubectl exec segcluster-silo-0 -- segcluster reproduce ...).
exec dotnet /app/segcluster.dll "$@"
