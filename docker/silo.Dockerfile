# syntax=docker/dockerfile:1
# The silo image (also runs `segcluster migrate` and the CLI). Build from the repository root:
#   docker build -f docker/silo.Dockerfile -t REGISTRY/segcluster-silo:cuda .
#   docker build -f docker/silo.Dockerfile --build-arg TORCH_BACKEND=cpu \
#     --build-arg RUNTIME_IMAGE=mcr.microsoft.com/dotnet/runtime:10.0 -t REGISTRY/segcluster-silo:cpu .
# The runtime bases are Ubuntu 24.04, whose libstdc++ already has what libLibTorchSharp.so needs, so the
# Debian 12 patch of build/Torch.targets is switched off here.
ARG RUNTIME_IMAGE=nvidia/cuda:12.8.1-cudnn-runtime-ubuntu24.04

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
ARG TORCH_BACKEND=cuda
WORKDIR /src
# Restore first (cached until a project file or package version changes).
COPY global.json Directory.Build.props Directory.Build.targets Directory.Packages.props ./
COPY build/ build/
COPY Contracts/Contracts.csproj Contracts/
COPY Experiment/Experiment.csproj Experiment/
COPY Learning/Learning.csproj Learning/
COPY Storage/Storage.csproj Storage/
COPY Client/Client.csproj Client/
COPY Grains/Grains.csproj Grains/
COPY Silo/Silo.csproj Silo/
COPY Bench/Bench.csproj Bench/
COPY Cli/Cli.csproj Cli/
RUN dotnet restore Cli/Cli.csproj -p:TorchBackend=${TORCH_BACKEND}
COPY Contracts/ Contracts/
COPY Experiment/ Experiment/
COPY Learning/ Learning/
COPY Storage/ Storage/
COPY Client/ Client/
COPY Grains/ Grains/
COPY Silo/ Silo/
COPY Bench/ Bench/
COPY Cli/ Cli/
RUN dotnet publish Cli/Cli.csproj -c Release --no-restore -p:TorchBackend=${TORCH_BACKEND} -p:PatchLibTorchSharp=false -o /app

FROM mcr.microsoft.com/dotnet/runtime:10.0 AS dotnet

FROM ${RUNTIME_IMAGE}
LABEL org.opencontainers.image.title="segcluster-silo" \
      org.opencontainers.image.description="SegCluster silo, migration and CLI"
# glibc.malloc.hugetlb=1: huge pages for libtorch's large tensors (see Learning/TorchRuntime.cs).
ENV DOTNET_ROOT=/usr/share/dotnet \
    GLIBC_TUNABLES=glibc.malloc.hugetlb=1 \
    DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 \
    DOTNET_CLI_TELEMETRY_OPTOUT=1
COPY --from=dotnet /usr/share/dotnet /usr/share/dotnet
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates libgomp1 \
 && rm -rf /var/lib/apt/lists/* \
 && ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet \
 && useradd --uid 10001 --create-home --shell /usr/sbin/nologin segcluster
COPY --from=build /app /app
COPY docker/segcluster-cli.sh /usr/local/bin/segcluster
USER 10001
WORKDIR /home/segcluster
# 11111: silo-to-silo, 30000: client gateway (ClusterSettings.DefaultSiloPort / DefaultGatewayPort).
EXPOSE 11111 30000
ENTRYPOINT ["/usr/local/bin/segcluster"]
CMD ["silo"]
