# syntax=docker/dockerfile:1
# ssfgraph: static binary on a distroless, non-root base. Used by docker-compose.yml.

FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o /out/ssfgraph ./cmd/ssfgraph

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/ssfgraph /usr/local/bin/ssfgraph
USER nonroot:nonroot
ENV SSFGRAPH_ADDR=0.0.0.0:8080
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/ssfgraph"]
CMD ["serve"]
