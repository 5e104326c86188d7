"""Realistic terms versions of an imaginary music platform, written for these tests."""

from __future__ import annotations

V1 = """\
# Soundhaven Terms of Use

These terms govern your use of Soundhaven. Please read them carefully.

## 1. Your account

You must be at least 16 years old to open an account. Keep your password secret; you are
responsible for what happens under your account.

## 2. Your content

You keep every right you hold in the music you upload. Nothing in these terms transfers
ownership of your recordings or compositions to us.

### 2.1 Licence to us

You grant us a worldwide, non-exclusive licence to host, store, stream and display your
uploads so that listeners can hear them. The licence ends when you delete a track, except for
copies listeners saved offline under their subscription.

### 2.2 Recommendations

We use listening data to recommend tracks to listeners. We do not sell your uplaods to anyone.

## 3. Fees and payouts

Artists earn a share of subscription revenue. Payouts are made monthly once the balance
exceeds 10 euros.

## 4. Termination

You may close your account at any time. We may suspend accounts that break these terms,
after telling you why.

## 5. Changes to these terms

We will tell you about changes to these terms at least 30 days before they apply.
"""

# v2: a new section 3 (renumbering 3-5), one AI sentence added to the licence, a typo fixed,
# "Recommendations" renamed, and the termination clause moved after the changes clause.
V2 = """\
# Soundhaven Terms of Use

These terms govern your use of Soundhaven. Please read them carefully.

## 1. Your account

You must be at least 16 years old to open an account. Keep your password secret; you are
responsible for what happens under your account.

## 2. Your content

You keep every right you hold in the music you upload. Nothing in these terms transfers
ownership of your recordings or compositions to us.

### 2.1 Licence to us

You grant us a worldwide, non-exclusive licence to host, store, stream and display your
uploads so that listeners can hear them. We may also use your uploads to train machine
learning models. The licence ends when you delete a track, except for copies listeners
saved offline under their subscription.

### 2.2 Personalised listening

We use listening data to recommend tracks to listeners. We do not sell your uploads to anyone.

## 3. Community guidelines

Be respectful. Do not upload music you have no right to share.

## 4. Fees and payouts

Artists earn a share of subscription revenue. Payouts are made monthly once the balance
exceeds 10 euros.

## 5. Changes to these terms

We will tell you about changes to these terms at least 30 days before they apply.

## 6. Termination

You may close your account at any time. We may suspend accounts that break these terms,
after telling you why.
"""

# v1 with only editorial changes: spelling, punctuation, case and re-wrapped lines.
V1_EDITORIAL = V1.replace("uplaods", "uploads").replace(
    "Please read them carefully.", "Please read them carefully!").replace(
    "You keep every right you hold in the music you upload. Nothing in these terms transfers\n"
    "ownership", "You keep every right you hold in the music you upload.  Nothing in these "
    "terms\ntransfers ownership").replace("Keep your password", "keep your password")
