import Crypto

extension RequestFingerprint {
    /// The fingerprint of an intake delivery: its source and a digest of its raw body, so that a
    /// delivery id reused for another body is refused rather than answered as a retry.
    public init(intake source: String, body: some Collection<UInt8>) {
        self.init(sender: "intake:\(source)", hash: Digits.hex(SHA256.hash(data: Array(body))))
    }
}
