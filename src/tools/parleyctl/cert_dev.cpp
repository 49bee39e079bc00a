#include "tools/parleyctl/cert_dev.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <stdexcept>

namespace parley::tools {
namespace {

struct KeyFree { void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); } };
struct CertFree { void operator()(X509* c) const { X509_free(c); } };
using KeyPtr = std::unique_ptr<EVP_PKEY, KeyFree>;
using CertPtr = std::unique_ptr<X509, CertFree>;

void check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("cert dev: ") + what + " failed");
}

KeyPtr newKey() {
  // P-256 keys: small, fast handshakes, accepted by every TLS 1.2/1.3 client in use.
  KeyPtr key(EVP_EC_gen("P-256"));
  check(key != nullptr, "generating a P-256 key");
  return key;
}

void addExt(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  check(ext != nullptr, "building a certificate extension");
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

CertPtr newCert(EVP_PKEY* key, const std::string& cn, X509* issuer, int days) {
  CertPtr cert(X509_new());
  check(cert != nullptr, "X509_new");
  X509_set_version(cert.get(), 2);
  unsigned char serial[16];
  check(RAND_bytes(serial, sizeof serial) == 1, "random serial");
  serial[0] &= 0x7F;
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
  BN_free(bn);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 60L * 60 * 24 * days);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("Parley lab"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509* signer = issuer != nullptr ? issuer : cert.get();
  X509_set_issuer_name(cert.get(), X509_get_subject_name(signer));
  return cert;
}

void writePem(const std::string& path, EVP_PKEY* key, X509* cert) {
  FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) throw std::runtime_error("cert dev: cannot write " + path);
  bool ok = key != nullptr ? PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr) == 1
                           : PEM_write_X509(f, cert) == 1;
  std::fclose(f);
  if (key != nullptr) ::chmod(path.c_str(), 0600);
  check(ok, ("writing " + path).c_str());
}

KeyPtr readKey(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return nullptr;
  KeyPtr key(PEM_read_PrivateKey(f, nullptr, nullptr, nullptr));
  std::fclose(f);
  return key;
}

CertPtr readCert(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return nullptr;
  CertPtr cert(PEM_read_X509(f, nullptr, nullptr, nullptr));
  std::fclose(f);
  return cert;
}

}  // namespace

void writeDevCertificates(const DevCertRequest& req) {
  if (req.poolFqdn.empty()) throw std::runtime_error("cert dev: --pool FQDN is required");
  std::filesystem::create_directories(req.dir);
  const std::string caCrt = req.dir + "/ca.crt";
  const std::string caKeyPath = req.dir + "/ca.key";

  KeyPtr caKey = readKey(caKeyPath);
  CertPtr ca = readCert(caCrt);
  if (!caKey || !ca) {
    caKey = newKey();
    ca = newCert(caKey.get(), "Parley lab CA", nullptr, 3650);
    addExt(ca.get(), ca.get(), NID_basic_constraints, "critical,CA:TRUE");
    addExt(ca.get(), ca.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
    addExt(ca.get(), ca.get(), NID_subject_key_identifier, "hash");
    check(X509_sign(ca.get(), caKey.get(), EVP_sha256()) > 0, "signing the CA");
    writePem(caKeyPath, caKey.get(), nullptr);
    writePem(caCrt, nullptr, ca.get());
  }

  KeyPtr key = newKey();
  CertPtr cert = newCert(key.get(), req.poolFqdn, ca.get(), req.validDays);
  std::string san = "DNS:" + req.poolFqdn;
  for (const auto& d : req.extraDnsNames) san += ",DNS:" + d;
  for (const auto& ip : req.ipAddresses) san += ",IP:" + ip;
  addExt(cert.get(), ca.get(), NID_basic_constraints, "critical,CA:FALSE");
  addExt(cert.get(), ca.get(), NID_key_usage, "critical,digitalSignature,keyAgreement");
  // Both: a pool certificate serves clients and authenticates the pool to its peers (MTLS).
  addExt(cert.get(), ca.get(), NID_ext_key_usage, "serverAuth,clientAuth");
  addExt(cert.get(), ca.get(), NID_subject_alt_name, san);
  addExt(cert.get(), ca.get(), NID_authority_key_identifier, "keyid:always");
  check(X509_sign(cert.get(), caKey.get(), EVP_sha256()) > 0, "signing the pool certificate");
  writePem(req.dir + "/pool.key", key.get(), nullptr);
  writePem(req.dir + "/pool.crt", nullptr, cert.get());
}

}  // namespace parley::tools
