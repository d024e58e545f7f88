# syntax=docker/dockerfile:1
# The dashboard image. Build from the repository root:
#   docker build -f docker/dashboard.Dockerfile -t REGISTRY/segcluster-dashboard:latest .
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Build.targets Directory.Packages.props ./
COPY build/ build/
COPY Contracts/Contracts.csproj Contracts/
COPY Experiment/Experiment.csproj Experiment/
COPY Storage/Storage.csproj Storage/
COPY Client/Client.csproj Client/
COPY Dashboard/Dashboard.csproj Dashboard/
RUN dotnet restore Dashboard/Dashboard.csproj
COPY Contracts/ Contracts/
COPY Experiment/ Experiment/
COPY Storage/ Storage/
COPY Client/ Client/
COPY Dashboard/ Dashboard/
RUN dotnet publish Dashboard/Dashboard.csproj -c Release --no-restore -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0
LABEL org.opencontainers.image.title="segcluster-dashboard" \
      org.opencontainers.image.description="SegCluster dashboard"
ENV DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 \
    ASPNETCORE_URLS=http://0.0.0.0:8080
# The plots' labels (ScottPlot on SkiaSharp) need a font; the aspnet image has none.
RUN apt-get update && apt-get install -y --no-install-recommends fonts-dejavu-core && rm -rf /var/lib/apt/lists/* \
    && useradd --uid 10001 --no-create-home --shell /usr/sbin/nologin segcluster
COPY --from=build /app /app
USER 10001
WORKDIR /app
EXPOSE 8080
ENTRYPOINT ["dotnet", "/app/SegCluster.Dashboard.dll"]
