// The baseline every throughput benchmark is compared with: OpenSSL's raw
// ECDSA P-256 verify (EVP_DigestVerify, key pre-parsed, 150-byte message).
// Each bench registers it with BENCHMARK(BM_RawEcdsaP256Verify) so the ratio
// comes from one run.
#pragma once

#include <benchmark/benchmark.h>
#include <openssl/evp.h>

#include "core/bytes.h"

inline void BM_RawEcdsaP256Verify(benchmark::State& st) {
  EVP_PKEY* pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  trustmesh::Bytes msg(150, 0x5a);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  size_t siglen = 0;
  EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, pkey);
  EVP_DigestSign(ctx, nullptr, &siglen, msg.data(), msg.size());
  trustmesh::Bytes sig(siglen);
  EVP_DigestSign(ctx, sig.data(), &siglen, msg.data(), msg.size());
  sig.resize(siglen);
  EVP_MD_CTX_free(ctx);
  for (auto _ : st) {
    EVP_MD_CTX* v = EVP_MD_CTX_new();
    EVP_DigestVerifyInit(v, nullptr, EVP_sha256(), nullptr, pkey);
    int ok = EVP_DigestVerify(v, sig.data(), sig.size(), msg.data(), msg.size());
    EVP_MD_CTX_free(v);
    if (ok != 1) st.SkipWithError("verify failed");
  }
  st.SetItemsProcessed(st.iterations());
  EVP_PKEY_free(pkey);
}
