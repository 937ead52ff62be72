# The runtime as a .so: HTTPS probes and hooks use mbedtls (as the agent).
LIBS_runtime := -lmbedtls -lmbedx509 -lmbedcrypto -lpthread
