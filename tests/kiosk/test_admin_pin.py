from kiosk.admin_pin import hash_admin_pin, verify_admin_pin


def test_the_right_pin_verifies_and_a_wrong_one_does_not() -> None:
    stored = hash_admin_pin("246810")
    assert verify_admin_pin("246810", stored)
    assert not verify_admin_pin("246811", stored)


def test_two_hashes_of_one_pin_differ_by_their_salt() -> None:
    assert hash_admin_pin("246810") != hash_admin_pin("246810")


def test_a_malformed_hash_never_matches() -> None:
    assert not verify_admin_pin("246810", "plain:246810")
    assert not verify_admin_pin("246810", "scrypt$x$y$z$!!$!!")
